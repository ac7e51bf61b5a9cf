package dev.agentpipeline.core.guard;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A guard made of conditions that must all hold, and the rejection to give when one does not. Immutable and
 * thread-safe. Create with {@link Guards#require(Condition...)}.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class ConditionGuard implements Guard {

    private final List<Condition> conditions;
    private final String code;
    private final MessageTemplate error;
    private final MessageTemplate recovery;

    ConditionGuard(List<Condition> conditions, String code, MessageTemplate error, MessageTemplate recovery) {
        if (conditions.isEmpty()) {
            throw new IllegalArgumentException("A condition guard needs at least one condition");
        }
        this.conditions = List.copyOf(conditions);
        this.code = Objects.requireNonNull(code, "code");
        this.error = Objects.requireNonNull(error, "error");
        this.recovery = Objects.requireNonNull(recovery, "recovery");
    }

    @Override
    public GuardResult check(GuardContext context) {
        for (Condition condition : conditions) {
            if (!condition.test(context)) {
                return GuardResult.reject(code, error.render(context, Map.of()), recovery.render(context, Map.of()));
            }
        }
        return GuardResult.allow();
    }

    /** @return the conditions, all of which must hold */
    public List<Condition> conditions() {
        return conditions;
    }

    /** @return the rejection code */
    public String code() {
        return code;
    }

    /** @return the error template */
    public MessageTemplate error() {
        return error;
    }

    /** @return the recovery template */
    public MessageTemplate recovery() {
        return recovery;
    }

    @Override
    public String describe() {
        StringBuilder text = new StringBuilder();
        for (Condition condition : conditions) {
            text.append(text.length() == 0 ? "" : " and ").append(condition);
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return "ConditionGuard[" + describe() + " else " + code + "]";
    }
}
