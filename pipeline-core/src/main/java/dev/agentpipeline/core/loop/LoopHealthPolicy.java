package dev.agentpipeline.core.loop;

import dev.agentpipeline.spi.FailureClass;

import org.apiguardian.api.API;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * When the loop-health judge recommends pausing. Immutable; build with {@link #custom()}.
 *
 * <p>The defaults ({@link #defaults()}) are those of the ln-1000 skill's loop-health contract: three attempts in a row
 * without progress, or three in a row failing with the same normalized error, pause; {@code permission_denial},
 * {@code tool_missing} and {@code auth_missing} pause at once; {@code rate_limited} defers.
 *
 * <pre>{@code
 * LoopHealthPolicy strict = LoopHealthPolicy.custom().noProgressLimit(2).sameErrorLimit(2).build();
 * }</pre>
 *
 * @param noProgressLimit consecutive attempts without progress that pause, at least 1
 * @param sameErrorLimit consecutive attempts with the same error signature that pause, at least 1
 * @param immediatePause failure classes that pause at once
 * @param defer failure classes that pause as "defer and retry later", without counting as domain failures
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record LoopHealthPolicy(int noProgressLimit, int sameErrorLimit, Set<FailureClass> immediatePause,
                               Set<FailureClass> defer) {

    private static final LoopHealthPolicy DEFAULTS = custom().build();

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if a limit is below 1
     */
    public LoopHealthPolicy {
        if (noProgressLimit < 1) {
            throw new IllegalArgumentException("noProgressLimit must be at least 1, got " + noProgressLimit);
        }
        if (sameErrorLimit < 1) {
            throw new IllegalArgumentException("sameErrorLimit must be at least 1, got " + sameErrorLimit);
        }
        immediatePause = Set.copyOf(immediatePause);
        defer = Set.copyOf(defer);
    }

    /** @return the default policy, that of the ln-1000 skill's loop-health contract */
    public static LoopHealthPolicy defaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from the defaults */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * Builds a {@link LoopHealthPolicy}; {@link #build()} copies, so the builder can be reused.
     *
     * @since 0.1
     */
    public static final class Builder {
        private int noProgressLimit = 3;
        private int sameErrorLimit = 3;
        private final Set<FailureClass> immediatePause =
                EnumSet.of(FailureClass.PERMISSION_DENIAL, FailureClass.TOOL_MISSING, FailureClass.AUTH_MISSING);
        private final Set<FailureClass> defer = EnumSet.of(FailureClass.RATE_LIMITED);

        private Builder() {
        }

        /**
         * @param limit consecutive attempts without progress that pause
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder noProgressLimit(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("noProgressLimit must be at least 1, got " + limit);
            }
            this.noProgressLimit = limit;
            return this;
        }

        /**
         * @param limit consecutive attempts with the same error that pause
         * @return this builder
         * @throws IllegalArgumentException if below 1
         */
        public Builder sameErrorLimit(int limit) {
            if (limit < 1) {
                throw new IllegalArgumentException("sameErrorLimit must be at least 1, got " + limit);
            }
            this.sameErrorLimit = limit;
            return this;
        }

        /**
         * @param classes failure classes that pause at once (replaces the default set)
         * @return this builder
         */
        public Builder immediatePause(Set<FailureClass> classes) {
            immediatePause.clear();
            immediatePause.addAll(Objects.requireNonNull(classes, "classes"));
            return this;
        }

        /**
         * @param classes failure classes that defer (replaces the default set)
         * @return this builder
         */
        public Builder defer(Set<FailureClass> classes) {
            defer.clear();
            defer.addAll(Objects.requireNonNull(classes, "classes"));
            return this;
        }

        /** @return the policy */
        public LoopHealthPolicy build() {
            return new LoopHealthPolicy(noProgressLimit, sameErrorLimit, immediatePause, defer);
        }
    }
}
