package dev.agentpipeline.core.guard;

import org.apiguardian.api.API;

import java.util.Locale;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The comparisons a {@link Condition} can make. The YAML names are the lower-case names: {@code exists},
 * {@code eq}, {@code ne}, {@code in}, {@code not_in}, {@code gt}, {@code gte}, {@code lt}, {@code lte}.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public enum Operator {
    /** The value is present and not null (operand {@code true}), or absent or null (operand {@code false}). */
    EXISTS,
    /** Equal; numbers compare by value, so {@code 5} equals {@code 5.0}. */
    EQ,
    /** Not equal; an absent value is not equal to anything. */
    NE,
    /** Equal to one of a list. */
    IN,
    /** Equal to none of a list; an absent value is in no list. */
    NOT_IN,
    /** Greater than a number. */
    GT,
    /** Greater than or equal to a number. */
    GTE,
    /** Less than a number. */
    LT,
    /** Less than or equal to a number. */
    LTE;

    /** @return the name used in YAML */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return whether the operand must be a number */
    public boolean numeric() {
        return this == GT || this == GTE || this == LT || this == LTE;
    }

    /**
     * @param name a YAML name
     * @return the operator
     * @throws IllegalArgumentException if unknown
     */
    public static Operator fromYamlName(String name) {
        for (Operator operator : values()) {
            if (operator.yamlName().equals(name)) {
                return operator;
            }
        }
        throw new IllegalArgumentException("unknown operator '" + name
                + "'; use exists, eq, ne, in, not_in, gt, gte, lt or lte");
    }
}
