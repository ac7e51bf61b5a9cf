package dev.agentpipeline.core.phase;

import org.apiguardian.api.API;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What can be tuned in the phase pipeline: the waits and limits of its recoveries, its thresholds and its signal
 * files. Immutable; the defaults are those of the phase pipeline orchestrator.
 *
 * <pre>{@code
 * PhaseSettings quick = PhaseSettings.builder()
 *         .transientBackoff(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)))
 *         .signalFile(6, "phase6-specs-created.json")
 *         .build();
 * PipelineDefinition phases = PhasePipeline.definition(quick);
 * }</pre>
 *
 * @param transientBackoff the waits before the retries of a transient error (1, 2 and 4 minutes)
 * @param transientRetries how many times a transient error is retried (3)
 * @param dependencyRetries how many times a phase is retried after its dependency install (1)
 * @param fixCycles how many fix cycles a phase gets for failing tests or missed thresholds (2)
 * @param decisions how many ambiguous decisions a phase may ask for (3)
 * @param humanRetries how many times a person may send a phase back after an escalation (3)
 * @param lineCoverage the line coverage phase 7 needs, in percent (80)
 * @param branchCoverage the branch coverage phase 7 needs, in percent (70)
 * @param integrationCoverage the integration point coverage phase 9 needs, in percent (100)
 * @param readiness the production readiness score phase 10 needs (90)
 * @param signalFiles the signal file of each phase whose file is not {@code phaseN-complete.json}, by phase number
 * @param approvalTimeout how long the approval after phase 5 waits before it escalates, or null to wait
 * @param deploymentPipeline the pipeline phase 11 runs as its child ({@code deployment})
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record PhaseSettings(List<Duration> transientBackoff, int transientRetries, int dependencyRetries,
                            int fixCycles, int decisions, int humanRetries, double lineCoverage,
                            double branchCoverage, double integrationCoverage, double readiness,
                            Map<Integer, String> signalFiles, Duration approvalTimeout, String deploymentPipeline) {

    /** Validates and copies. */
    public PhaseSettings {
        transientBackoff = List.copyOf(transientBackoff);
        if (transientBackoff.isEmpty()) {
            throw new IllegalArgumentException("the transient backoff needs at least one wait");
        }
        for (int limit : new int[] {transientRetries, dependencyRetries, fixCycles, decisions, humanRetries}) {
            if (limit < 0) {
                throw new IllegalArgumentException("limits are 0 or more, got " + limit);
            }
        }
        signalFiles = Map.copyOf(signalFiles);
        Objects.requireNonNull(deploymentPipeline, "deploymentPipeline");
    }

    /** @return the settings of the phase pipeline orchestrator */
    public static PhaseSettings defaults() {
        return builder().build();
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds {@link PhaseSettings}.
     *
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class Builder {
        private List<Duration> transientBackoff = List.of(Duration.ofMinutes(1), Duration.ofMinutes(2),
                Duration.ofMinutes(4));
        private int transientRetries = 3;
        private int dependencyRetries = 1;
        private int fixCycles = 2;
        private int decisions = 3;
        private int humanRetries = 3;
        private double lineCoverage = 80;
        private double branchCoverage = 70;
        private double integrationCoverage = 100;
        private double readiness = 90;
        private final Map<Integer, String> signalFiles = new LinkedHashMap<>();
        private Duration approvalTimeout;
        private String deploymentPipeline = PhasePipeline.DEPLOYMENT_STUB_ID;

        private Builder() {
        }

        /**
         * @param value the waits before the transient retries (the last repeats)
         * @return this builder
         */
        public Builder transientBackoff(List<Duration> value) {
            this.transientBackoff = List.copyOf(value);
            return this;
        }

        /**
         * @param value how many transient retries
         * @return this builder
         */
        public Builder transientRetries(int value) {
            this.transientRetries = value;
            return this;
        }

        /**
         * @param value how many retries after a dependency install
         * @return this builder
         */
        public Builder dependencyRetries(int value) {
            this.dependencyRetries = value;
            return this;
        }

        /**
         * @param value how many fix cycles per phase
         * @return this builder
         */
        public Builder fixCycles(int value) {
            this.fixCycles = value;
            return this;
        }

        /**
         * @param value how many ambiguous decisions per phase
         * @return this builder
         */
        public Builder decisions(int value) {
            this.decisions = value;
            return this;
        }

        /**
         * @param value how many times a person may send a phase back
         * @return this builder
         */
        public Builder humanRetries(int value) {
            this.humanRetries = value;
            return this;
        }

        /**
         * @param line phase 7's line coverage threshold
         * @param branch phase 7's branch coverage threshold
         * @return this builder
         */
        public Builder coverage(double line, double branch) {
            this.lineCoverage = line;
            this.branchCoverage = branch;
            return this;
        }

        /**
         * @param value phase 9's integration point coverage threshold
         * @return this builder
         */
        public Builder integrationCoverage(double value) {
            this.integrationCoverage = value;
            return this;
        }

        /**
         * @param value phase 10's production readiness threshold
         * @return this builder
         */
        public Builder readiness(double value) {
            this.readiness = value;
            return this;
        }

        /**
         * @param phase a phase number
         * @param fileName the file its signal is written to
         * @return this builder
         */
        public Builder signalFile(int phase, String fileName) {
            signalFiles.put(phase, Objects.requireNonNull(fileName, "fileName"));
            return this;
        }

        /**
         * @param value how long the approval after phase 5 waits before it escalates, or null to wait
         * @return this builder
         */
        public Builder approvalTimeout(Duration value) {
            this.approvalTimeout = value;
            return this;
        }

        /**
         * @param value the pipeline phase 11 runs as its child
         * @return this builder
         */
        public Builder deploymentPipeline(String value) {
            this.deploymentPipeline = Objects.requireNonNull(value, "value");
            return this;
        }

        /** @return the settings */
        public PhaseSettings build() {
            return new PhaseSettings(transientBackoff, transientRetries, dependencyRetries, fixCycles, decisions,
                    humanRetries, lineCoverage, branchCoverage, integrationCoverage, readiness, signalFiles,
                    approvalTimeout, deploymentPipeline);
        }
    }
}
