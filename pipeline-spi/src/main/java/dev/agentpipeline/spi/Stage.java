package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * A stage plugin: the unit of work behind one state of a pipeline (plan, validate, implement, review...).
 *
 * <p>Implementations are discovered with {@link java.util.ServiceLoader} by their {@link #id()}; they must have
 * a public no-argument constructor and be listed in {@code META-INF/services/dev.agentpipeline.spi.Stage}.
 *
 * <pre>{@code
 * public final class LintStage implements Stage {
 *     public String id() { return "acme-lint"; }
 *
 *     public StageOutcome run(StageContext context) throws Exception {
 *         int warnings = Linter.run(context.workspace());
 *         return StageOutcome.completed()
 *                 .verdict(warnings == 0 ? "PASS" : "FAIL")
 *                 .metric("lint.warnings", warnings)
 *                 .build();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Contract.</b> {@link #run(StageContext)} may be called more than once for the same state (after a crash,
 * a retry or a rework); it should be idempotent or resume from {@link StageContext#progress()}. It should
 * return promptly once {@link StageContext#isCancelled()} turns true. An exception thrown by {@code run} is
 * recorded as a failed outcome of class {@link FailureClass#AGENT_ERROR} (or the class its message reveals)
 * and handled by the pipeline's retry and loop-health policies; it never corrupts the run.
 *
 * <p>One instance serves every run of an application, so implementations must be thread-safe: the runtime never
 * runs the same state of the same run twice at once, but it may run the plugin for two runs at the same time.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface Stage {

    /**
     * The id pipeline definitions refer to this plugin by, for example {@code "acme-lint"}.
     *
     * <p>Ids are 1 to 64 characters of lower-case letters, digits and {@code '-'}, starting with a letter.
     * The prefix {@code "pipeline-"} is reserved for the plugins shipped with this library.
     *
     * @return the id, never null
     */
    String id();

    /**
     * Runs the stage once.
     *
     * @param context what the run knows and offers to this attempt, never null
     * @return the outcome of this attempt, never null
     * @throws Exception when the stage cannot complete; recorded as a failed outcome, never lost
     */
    StageOutcome run(StageContext context) throws Exception;

    /**
     * A one-line description for listings and logs.
     *
     * @return the description, never null; the id by default
     */
    default String description() {
        return id();
    }

    /**
     * The plugin's version, recorded with every attempt so that a report can say which code produced it.
     *
     * @return the version, never null; the implementation version of the plugin's jar by default
     */
    default String version() {
        String version = getClass().getPackage() == null ? null : getClass().getPackage().getImplementationVersion();
        return version == null ? "unversioned" : version;
    }
}
