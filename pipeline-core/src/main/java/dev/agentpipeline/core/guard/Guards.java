package dev.agentpipeline.core.guard;

import org.apiguardian.api.API;

import java.util.List;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Factories for guards.
 *
 * <pre>{@code
 * Guard go = Guards.require(Condition.of("summary.STAGE_1.verdict", Operator.EQ, "GO"))
 *         .orReject("verdict_not_go", "Verdict is ${summary.STAGE_1.verdict}, not GO", "Fix validation issues");
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Guards {

    private Guards() {
    }

    /**
     * Starts a condition guard.
     *
     * @param conditions conditions that must all hold
     * @return a step that takes the rejection
     */
    public static Requirement require(Condition... conditions) {
        return new Requirement(List.of(conditions));
    }

    /**
     * The second step of {@link #require(Condition...)}: what to say when a condition fails.
     *
     * @since 0.1
     */
    public static final class Requirement {
        private final List<Condition> conditions;

        private Requirement(List<Condition> conditions) {
            this.conditions = conditions;
        }

        /**
         * Completes the guard.
         *
         * @param code the stable rejection code
         * @param error the error, may hold {@code ${path}} placeholders
         * @param recovery the recovery hint, may hold placeholders
         * @return the guard
         * @throws IllegalArgumentException if a template is malformed or there are no conditions
         */
        public ConditionGuard orReject(String code, String error, String recovery) {
            return new ConditionGuard(conditions, code, MessageTemplate.of(error), MessageTemplate.of(recovery));
        }
    }
}
