package dev.agentpipeline.stages;

import java.util.Map;
import java.util.function.Function;

/**
 * The {@code {name}} templates of {@link CommandSettings}: {@code {name}} is a variable of
 * {@link CommandSettings#VARIABLES} or {@code {input.NAME}}; {@code {{} and {@code }}} are literal braces.
 */
final class Template {

    /** The prefix of a variable naming one input. */
    static final String INPUT_PREFIX = "input.";

    private Template() {
    }

    /**
     * Checks that a template is well formed and names only known variables.
     *
     * @throws IllegalArgumentException naming the setting, the placeholder and the known variables
     */
    static void check(String template, String setting) {
        render(template, setting, name -> "");
    }

    /**
     * Fills a template.
     *
     * @param values gives the value of a known variable name (never null for a known one)
     * @throws IllegalArgumentException as {@link #check}
     */
    static String render(String template, String setting, Function<String, String> values) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '{') {
                out.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < template.length() && template.charAt(i + 1) == '}') {
                out.append('}');
                i += 2;
            } else if (c == '{') {
                int end = template.indexOf('}', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("setting '" + setting + "' has a '{' at position " + i
                            + " that is never closed; write {{ for a literal brace");
                }
                String name = template.substring(i + 1, end);
                if (!known(name)) {
                    throw new IllegalArgumentException("setting '" + setting + "' uses the unknown placeholder {"
                            + name + "}; known: " + String.join(", ", CommandSettings.VARIABLES)
                            + ", input.NAME (write {{ and }} for literal braces)");
                }
                out.append(values.apply(name));
                i = end + 1;
            } else if (c == '}') {
                throw new IllegalArgumentException("setting '" + setting + "' has a '}' at position " + i
                        + " without a '{'; write }} for a literal brace");
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean known(String name) {
        if (CommandSettings.VARIABLES.contains(name)) {
            return true;
        }
        return name.startsWith(INPUT_PREFIX) && name.length() > INPUT_PREFIX.length()
                && name.substring(INPUT_PREFIX.length()).chars().allMatch(ch -> Character.isLetterOrDigit(ch)
                || ch == '_' || ch == '-' || ch == '.');
    }

    /** The value of a variable from a map that holds every known name, and the inputs for {@code input.NAME}. */
    static Function<String, String> values(Map<String, String> variables, Map<String, Object> inputs) {
        return name -> {
            if (name.startsWith(INPUT_PREFIX) && !variables.containsKey(name)) {
                return JsonText.text(inputs.get(name.substring(INPUT_PREFIX.length())));
            }
            String value = variables.get(name);
            return value == null ? "" : value;
        };
    }
}
