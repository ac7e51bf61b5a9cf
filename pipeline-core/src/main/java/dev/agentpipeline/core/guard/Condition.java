package dev.agentpipeline.core.guard;

import dev.agentpipeline.spi.JsonValues;

import org.apiguardian.api.API;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One structured test of the run's evidence: a path, an {@link Operator} and an operand. Immutable.
 *
 * <pre>{@code
 * Condition go = Condition.of("summary.STAGE_1.verdict", Operator.EQ, "GO");
 * Condition ready = Condition.of("summary.STAGE_1.readiness_score", Operator.GTE, 5).optional();
 * }</pre>
 *
 * <p>An absent or null value fails every test except {@code exists: false}, {@code ne} and {@code not_in} -
 * unless the condition is {@linkplain #optional() optional}, in which case an absent or null value passes.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Condition {

    private final String path;
    private final Operator operator;
    private final Object operand;
    private final boolean optional;

    private Condition(String path, Operator operator, Object operand, boolean optional) {
        this.path = path;
        this.operator = operator;
        this.operand = operand;
        this.optional = optional;
    }

    /**
     * Creates a condition, checking the operand's type against the operator.
     *
     * @param path an evidence path (see {@link GuardContext})
     * @param operator the comparison
     * @param operand a boolean for {@code exists}, a number for {@code gt}/{@code gte}/{@code lt}/{@code lte},
     *     a non-empty list for {@code in}/{@code not_in}, a string, number or boolean otherwise
     * @return the condition
     * @throws IllegalArgumentException if the path is malformed or the operand does not suit the operator
     */
    public static Condition of(String path, Operator operator, Object operand) {
        Objects.requireNonNull(operator, "operator");
        checkPath(path);
        Object copy = JsonValues.copyOf(operand);
        switch (operator) {
            case EXISTS:
                if (!(copy instanceof Boolean)) {
                    throw new IllegalArgumentException("'exists' takes true or false, got " + describe(copy));
                }
                break;
            case GT: case GTE: case LT: case LTE:
                if (!(copy instanceof Number)) {
                    throw new IllegalArgumentException("'" + operator.yamlName() + "' takes a number, got "
                            + describe(copy));
                }
                break;
            case IN: case NOT_IN:
                if (!(copy instanceof List<?> list) || list.isEmpty()) {
                    throw new IllegalArgumentException("'" + operator.yamlName() + "' takes a non-empty list, got "
                            + describe(copy));
                }
                for (Object item : list) {
                    checkScalar(operator, item);
                }
                break;
            default:
                checkScalar(operator, copy);
        }
        return new Condition(path, operator, copy, false);
    }

    /**
     * Shorthand for {@code of(path, Operator.EXISTS, true)}.
     *
     * @param path an evidence path
     * @return the condition
     */
    public static Condition exists(String path) {
        return of(path, Operator.EXISTS, true);
    }

    /** @return a copy of this condition that passes when the value is absent or null */
    public Condition optional() {
        return new Condition(path, operator, operand, true);
    }

    /** @return the evidence path */
    public String path() {
        return path;
    }

    /** @return the operator */
    public Operator operator() {
        return operator;
    }

    /** @return the operand (JSON-compatible) */
    public Object operand() {
        return operand;
    }

    /** @return whether an absent or null value passes */
    public boolean isOptional() {
        return optional;
    }

    /**
     * Tests the condition.
     *
     * @param context the guard context
     * @return whether it holds
     */
    public boolean test(GuardContext context) {
        Object value = context.resolve(path);
        boolean missing = value == GuardContext.ABSENT || value == null;
        if (missing) {
            if (optional) {
                return true;
            }
            switch (operator) {
                case EXISTS:
                    return Boolean.FALSE.equals(operand);
                case NE: case NOT_IN:
                    return true;
                default:
                    return false;
            }
        }
        switch (operator) {
            case EXISTS:
                return Boolean.TRUE.equals(operand);
            case EQ:
                return same(value, operand);
            case NE:
                return !same(value, operand);
            case IN:
                return ((List<?>) operand).stream().anyMatch(item -> same(value, item));
            case NOT_IN:
                return ((List<?>) operand).stream().noneMatch(item -> same(value, item));
            default:
                if (!(value instanceof Number number)) {
                    return false;
                }
                int comparison = decimal(number).compareTo(decimal((Number) operand));
                switch (operator) {
                    case GT:
                        return comparison > 0;
                    case GTE:
                        return comparison >= 0;
                    case LT:
                        return comparison < 0;
                    default:
                        return comparison <= 0;
                }
        }
    }

    private static boolean same(Object value, Object operand) {
        if (value instanceof Number a && operand instanceof Number b) {
            return decimal(a).compareTo(decimal(b)) == 0;
        }
        return Objects.equals(value, operand);
    }

    private static BigDecimal decimal(Number number) {
        if (number instanceof BigDecimal d) {
            return d;
        }
        if (number instanceof Double || number instanceof Float) {
            return BigDecimal.valueOf(number.doubleValue());
        }
        return new BigDecimal(number.toString());
    }

    private static void checkScalar(Operator operator, Object value) {
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            throw new IllegalArgumentException("'" + operator.yamlName()
                    + "' compares with a string, number or boolean, got " + describe(value));
        }
    }

    private static void checkPath(String path) {
        if (path == null || path.isBlank() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new IllegalArgumentException("malformed evidence path '" + path + "'");
        }
        int dot = path.indexOf('.');
        String root = dot < 0 ? path : path.substring(0, dot);
        if (dot < 0 || !List.of("checkpoint", "summary", "outcome", "evidence", "signal", "decision", "children", "counter",
                "run").contains(root)) {
            throw new IllegalArgumentException("evidence path '" + path
                    + "' must start with checkpoint.STATE, summary.STATE, outcome.STATE, evidence.STATE, signal.STATE,"
                    + " decision.STATE, children.STATE, counter.NAME or run.");
        }
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        return value instanceof String ? "'" + value + "'" : value.toString();
    }

    @Override
    public String toString() {
        return path + " " + operator.yamlName() + " " + describe(operand) + (optional ? " (if present)" : "");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Condition that && path.equals(that.path) && operator == that.operator
                && Objects.equals(operand, that.operand) && optional == that.optional;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, operator, operand, optional);
    }
}
