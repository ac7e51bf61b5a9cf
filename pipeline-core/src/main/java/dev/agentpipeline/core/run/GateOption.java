package dev.agentpipeline.core.run;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * One answer a person may give at a decision gate, with what speaks for and against it. Immutable.
 *
 * <pre>{@code
 * new GateOption("B", "Skip task #12 for now", List.of("the phase goes on"), List.of("the task stays open"))
 * }</pre>
 *
 * @param id what the answer says ({@code A}, {@code approve}); 1 to 40 of {@code [A-Za-z0-9_-]}
 * @param label what it means, never null
 * @param pros what speaks for it, never null
 * @param cons what speaks against it, never null
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record GateOption(String id, String label, List<String> pros, List<String> cons) {

    /** Validates and copies. */
    public GateOption {
        Objects.requireNonNull(id, "id");
        if (!id.matches("[A-Za-z0-9_-]{1,40}")) {
            throw new IllegalArgumentException("option id '" + id + "' must be 1 to 40 letters, digits, '_' or '-'");
        }
        label = label == null ? "" : label;
        pros = pros == null ? List.of() : List.copyOf(pros);
        cons = cons == null ? List.of() : List.copyOf(cons);
    }

    /**
     * @param id the option's id
     * @param label what it means
     * @return an option without pros and cons
     */
    public static GateOption of(String id, String label) {
        return new GateOption(id, label, List.of(), List.of());
    }
}
