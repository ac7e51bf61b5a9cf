package dev.agentpipeline.core.run;

import org.apiguardian.api.API;

import java.util.Locale;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Checks ids that come from outside (story ids, run ids) before they become file names, and derives safe slugs.
 *
 * <p>A safe id is 1 to 128 characters of ASCII letters, digits, {@code '.'}, {@code '_'} and {@code '-'}, starts
 * with a letter or digit and contains no {@code ".."}. Such an id cannot name a parent directory, an absolute
 * path, a hidden file, or anything a shell would interpret.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Ids {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern NOT_SLUG = Pattern.compile("[^a-z0-9]+");

    private Ids() {
    }

    /**
     * @param id a candidate id
     * @return whether it is safe
     */
    public static boolean isSafe(String id) {
        return id != null && SAFE.matcher(id).matches() && !id.contains("..");
    }

    /**
     * Returns the id if it is safe.
     *
     * @param what what the id names, for the message ("story id")
     * @param id the candidate
     * @return the id
     * @throws InvalidIdException saying what is wrong and what is allowed
     */
    public static String requireSafe(String what, String id) {
        if (isSafe(id)) {
            return id;
        }
        String problem;
        if (id == null || id.isEmpty()) {
            problem = "it is empty";
        } else if (id.contains("..")) {
            problem = "it contains '..'";
        } else if (id.length() > 128) {
            problem = "it is longer than 128 characters";
        } else {
            problem = firstBadCharacter(id);
        }
        throw new InvalidIdException(what, id, "Invalid " + what + " '" + printable(id) + "': " + problem
                + ". Use 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit"
                + " (for example US001 or PROJ-42).");
    }

    private static String firstBadCharacter(String id) {
        char first = id.charAt(0);
        if (first == '.' || first == '-' || first == '_') {
            return "it starts with '" + first + "'";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == '-';
            if (!ok) {
                String name = c == ' ' ? "a space" : c == '/' ? "'/'" : c == '\\' ? "'\\'"
                        : Character.isISOControl(c) ? "a control character" : "'" + c + "'";
                return "it contains " + name + " at position " + (i + 1);
            }
        }
        return "it is not allowed";
    }

    private static String printable(String id) {
        if (id == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < id.length() && i < 80; i++) {
            char c = id.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return id.length() > 80 ? out + "..." : out.toString();
    }

    /**
     * A lower-case slug of letters, digits and single dashes: {@code "Login form (v2)!"} gives
     * {@code "login-form-v2"}.
     *
     * @param text any text
     * @param maxLength the longest slug to return, at least 1
     * @return the slug; {@code "untitled"} if nothing is left
     */
    public static String slug(String text, int maxLength) {
        String slug = NOT_SLUG.matcher(text == null ? "" : text.toLowerCase(Locale.ROOT)).replaceAll("-");
        slug = slug.replaceAll("^-+|-+$", "");
        if (slug.length() > maxLength) {
            slug = slug.substring(0, maxLength).replaceAll("-+$", "");
        }
        return slug.isEmpty() ? "untitled" : slug;
    }

    /**
     * Thrown when an id from outside is not safe to use.
     *
     * @since 0.1
     */
    public static final class InvalidIdException extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;

        private final String what;

        InvalidIdException(String what, String id, String message) {
            super(message);
            this.what = what;
        }

        /** @return what the id names ("story id") */
        public String what() {
            return what;
        }
    }
}
