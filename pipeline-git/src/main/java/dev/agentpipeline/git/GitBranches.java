package dev.agentpipeline.git;

import org.eclipse.jgit.lib.Repository;

import org.apiguardian.api.API;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Branch names for pipeline runs: builds {@code feature/{id}-{slug}} from a story's id and title, and tells which
 * branches are worked on in place.
 *
 * <pre>{@code
 * GitBranches.featureBranch("US001", "Login form: e-mail & password")   // feature/US001-login-form-e-mail-password
 * GitBranches.featureBranch("PROJ 42", "")                             // feature/PROJ-42-work
 * GitBranches.isInPlace("optimize/db-pool")                            // true
 * }</pre>
 *
 * <p>Every name this class builds is a valid git branch name ({@code git check-ref-format --branch}). Stateless and
 * thread-safe.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class GitBranches {

    /** The prefixes of branches a run works on in place, without a workspace of its own. */
    public static final List<String> IN_PLACE_PREFIXES = List.of("feature/", "optimize/", "upgrade/", "modernize/");

    /** The longest slug made from a title. */
    public static final int MAX_SLUG = 40;

    /** The longest id part of a branch name. */
    public static final int MAX_ID = 64;

    /** The slug of a title without a letter or digit. */
    static final String EMPTY_SLUG = "work";

    private GitBranches() {
    }

    /**
     * The branch of a story: {@code feature/{id}-{slug}}. The id keeps its letters, digits, '.', '_' and '-' (other
     * characters become '-', accents are dropped, at most 64 characters); the slug is the title in lower case with
     * every run of other characters turned into one '-', cut to at most 40 characters at a word boundary where
     * possible, and {@code work} when the title has no letter or digit.
     *
     * @param id the story's id ({@code US001}), not null
     * @param title the story's title, not null (may be empty)
     * @return the branch name, never null
     * @throws IllegalArgumentException if the id has no letter or digit
     */
    public static String featureBranch(String id, String title) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        String safeId = sanitizeId(id);
        if (safeId.isEmpty()) {
            throw new IllegalArgumentException("Story id '" + id + "' has no letter or digit to name a branch after");
        }
        String branch = "feature/" + safeId + "-" + slug(title);
        if (!Repository.isValidRefName("refs/heads/" + branch)) { // cannot happen with the rules above; kept honest
            throw new IllegalArgumentException("Cannot build a valid branch name from id '" + id + "': " + branch);
        }
        return branch;
    }

    /**
     * Whether a run on this branch works in the repository's own working tree: {@code feature/*}, {@code optimize/*},
     * {@code upgrade/*} or {@code modernize/*} (with or without {@code refs/heads/}).
     *
     * @param branch a branch name, may be null
     * @return true for a branch of an in-place pattern
     */
    public static boolean isInPlace(String branch) {
        if (branch == null) {
            return false;
        }
        String name = branch.startsWith("refs/heads/") ? branch.substring("refs/heads/".length()) : branch;
        for (String prefix : IN_PLACE_PREFIXES) {
            if (name.length() > prefix.length() && name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The slug of a title: lower-case letters, digits and single dashes, 1 to 40 characters.
     *
     * @param title a title, not null
     * @return the slug, never empty
     */
    static String slug(String title) {
        String plain = stripAccents(title).toLowerCase(Locale.ROOT);
        String slug = trimDashes(plain.replaceAll("[^a-z0-9]+", "-"));
        if (slug.length() > MAX_SLUG) {
            String cut = slug.substring(0, MAX_SLUG);
            int lastDash = cut.lastIndexOf('-');
            boolean inAWord = slug.charAt(MAX_SLUG) != '-';
            slug = trimDashes(inAWord && lastDash >= MAX_SLUG / 2 ? cut.substring(0, lastDash) : cut);
        }
        return slug.isEmpty() ? EMPTY_SLUG : slug;
    }

    /** The id with only letters, digits, '.', '_' and single '-', no '..', not starting or ending with '.' or '-'. */
    static String sanitizeId(String id) {
        String safe = stripAccents(id).replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("-{2,}", "-")
                .replaceAll("\\.{2,}", ".");
        safe = trimEnds(safe);
        if (safe.length() > MAX_ID) {
            safe = trimEnds(safe.substring(0, MAX_ID));
        }
        return safe;
    }

    private static String stripAccents(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
    }

    private static String trimDashes(String text) {
        return text.replaceAll("^-+|-+$", "");
    }

    private static String trimEnds(String text) {
        return text.replaceAll("^[.-]+|[.-]+$", "");
    }
}
