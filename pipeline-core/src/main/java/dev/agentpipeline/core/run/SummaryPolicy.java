package dev.agentpipeline.core.run;

import org.apiguardian.api.API;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Whether a run's stages must record a stage summary before its guards let it move on. A run chooses when it starts
 * and keeps its choice: the policy is recorded in the run's manifest under {@value #MANIFEST_KEY}, which is
 * journaled with {@code RUN_STARTED}, so every later command of the run honours it without being told again.
 *
 * <ul>
 *   <li>{@link #REQUIRED} (the default, also for runs that recorded nothing): a guard that reads
 *       {@code summary.STATE...} needs a summary recorded during the state's current visit.</li>
 *   <li>{@link #OPTIONAL}: a state without a fresh summary is judged on its fresh checkpoint instead, through the
 *       {@code summary_stand_in} its definition declares (see {@link dev.agentpipeline.core.guard.SummaryStandIn}).
 *       A summary that is recorded still counts, and wins over the checkpoint. This is for callers written for the
 *       older ln-1000 runtime, which predates stage summaries.</li>
 * </ul>
 *
 * <pre>{@code
 * StartRequest request = StartRequest.builder("story", "US001").summaries(SummaryPolicy.OPTIONAL).build();
 * SummaryPolicy policy = SummaryPolicy.of(run.state());       // OPTIONAL
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public enum SummaryPolicy {

    /** Guards that read a stage summary need one. */
    REQUIRED,
    /** A fresh checkpoint stands in for a missing stage summary. */
    OPTIONAL;

    /** The manifest key that records a run's policy. */
    public static final String MANIFEST_KEY = "summaries";

    /** @return the name in manifests, files and flags: {@code required} or {@code optional} */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a policy name, ignoring case and surrounding blanks.
     *
     * @param text {@code required} or {@code optional}
     * @return the policy, empty if the text names none
     */
    public static Optional<SummaryPolicy> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String name = text.trim().toLowerCase(Locale.ROOT);
        for (SummaryPolicy policy : values()) {
            if (policy.wireName().equals(name)) {
                return Optional.of(policy);
            }
        }
        return Optional.empty();
    }

    /**
     * The policy a run recorded when it started.
     *
     * @param run the run
     * @return its policy; {@link #REQUIRED} when it recorded none
     */
    public static SummaryPolicy of(RunState run) {
        return of(run.manifest());
    }

    /**
     * The policy a manifest records.
     *
     * @param manifest a run's manifest
     * @return its policy; {@link #REQUIRED} when it records none (or one this version does not know)
     */
    public static SummaryPolicy of(Map<String, Object> manifest) {
        Object value = manifest.get(MANIFEST_KEY);
        return value instanceof String text ? parse(text).orElse(REQUIRED) : REQUIRED;
    }
}
