package dev.agentpipeline.core.guard;

import dev.agentpipeline.core.internal.Json;

import org.apiguardian.api.API;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A message with {@code ${path}} placeholders filled from the run's evidence when a guard rejects:
 * {@code "Verdict is ${summary.STAGE_1.verdict}, not GO"}. Immutable.
 *
 * <p>Absent and null values print as {@code null}; whole numbers print without a fraction ({@code 5}, not
 * {@code 5.0}); objects and arrays print as compact JSON.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class MessageTemplate {

    private final String text;
    private final List<String> parts;

    private MessageTemplate(String text, List<String> parts) {
        this.text = text;
        this.parts = parts;
    }

    /**
     * Parses a template.
     *
     * @param text the text
     * @return the template
     * @throws IllegalArgumentException if a <code>${</code> is not closed or a placeholder is empty
     */
    public static MessageTemplate of(String text) {
        Objects.requireNonNull(text, "text");
        List<String> parts = new ArrayList<>();
        int position = 0;
        while (true) {
            int open = text.indexOf("${", position);
            if (open < 0) {
                parts.add(text.substring(position));
                break;
            }
            int close = text.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '${' at character " + (open + 1) + " of \"" + text + "\"");
            }
            String name = text.substring(open + 2, close).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("empty placeholder '${}' in \"" + text + "\"");
            }
            parts.add(text.substring(position, open));
            parts.add(name);
            position = close + 1;
        }
        return new MessageTemplate(text, List.copyOf(parts));
    }

    /** @return the placeholders in order */
    public List<String> placeholders() {
        List<String> names = new ArrayList<>();
        for (int i = 1; i < parts.size(); i += 2) {
            names.add(parts.get(i));
        }
        return names;
    }

    /**
     * Fills the placeholders from a guard context, then from extra variables.
     *
     * @param context where evidence paths resolve
     * @param variables extra values by name ({@code limit}, {@code value}...), checked first
     * @return the message
     */
    public String render(GuardContext context, Map<String, ?> variables) {
        return render(name -> variables.containsKey(name) ? variables.get(name)
                : context == null ? GuardContext.ABSENT : context.resolve(name));
    }

    /**
     * Fills the placeholders.
     *
     * @param lookup gives the value of a placeholder
     * @return the message
     */
    public String render(Function<String, Object> lookup) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < parts.size(); i++) {
            if (i % 2 == 0) {
                out.append(parts.get(i));
            } else {
                out.append(format(lookup.apply(parts.get(i))));
            }
        }
        return out.toString();
    }

    private static String format(Object value) {
        if (value == null || value == GuardContext.ABSENT) {
            return "null";
        }
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        }
        if (value instanceof BigDecimal d) {
            BigDecimal plain = d.stripTrailingZeros();
            return plain.scale() <= 0 ? plain.toBigInteger().toString() : plain.toPlainString();
        }
        if (value instanceof Map || value instanceof List) {
            return Json.compact(value);
        }
        return value.toString();
    }

    /** @return the template text */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
