package dev.agentpipeline.git;

import org.eclipse.jgit.lib.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Branch names built from story ids and titles, and which branches are worked on in place. */
class GitBranchesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "US001        | Login form                               | feature/US001-login-form",
        "US001        | Login form: e-mail & password            | feature/US001-login-form-e-mail-password",
        "PROJ 42      | ''                                       | feature/PROJ-42-work",
        "PROJ-42      | !!!                                      | feature/PROJ-42-work",
        "../../etc    | Café au lait                             | feature/etc-cafe-au-lait",
        "a..b.lock    | Title                                    | feature/a.b.lock-title",
        "-x-          | UPPER case   and    spaces               | feature/x-upper-case-and-spaces",
        "US@{1}       | x~y^z:a?b*c[d\\e                         | feature/US-1-x-y-z-a-b-c-d-e",
    })
    void buildsFeatureBranches(String id, String title, String branch) {
        assertThat(GitBranches.featureBranch(id, title)).isEqualTo(branch);
        assertThat(Repository.isValidRefName("refs/heads/" + branch)).isTrue();
    }

    @Test
    void cutsLongTitlesAtAWordBoundary() {
        String branch = GitBranches.featureBranch("US7", "Add an export of the monthly report to CSV and PDF formats"
                + " for the finance team");

        assertThat(branch).isEqualTo("feature/US7-add-an-export-of-the-monthly-report-to");
        assertThat(branch.substring("feature/US7-".length())).hasSizeLessThanOrEqualTo(GitBranches.MAX_SLUG);
    }

    @Test
    void keepsAWordThatEndsExactlyAtTheLimit() {
        String title = "a".repeat(GitBranches.MAX_SLUG - 4) + " bcd efg";

        assertThat(GitBranches.slug(title)).isEqualTo("a".repeat(GitBranches.MAX_SLUG - 4) + "-bcd");
    }

    @Test
    void cutsALongWordWhereItMust() {
        String slug = GitBranches.slug("x".repeat(100));

        assertThat(slug).isEqualTo("x".repeat(GitBranches.MAX_SLUG));
    }

    @Test
    void anIdWithoutLetterOrDigitIsRefused() {
        assertThatThrownBy(() -> GitBranches.featureBranch("../..", "Title"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no letter or digit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"feature/x", "optimize/db", "upgrade/java-21", "modernize/ui", "refs/heads/feature/x"})
    void inPlaceBranches(String branch) {
        assertThat(GitBranches.isInPlace(branch)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"main", "master", "feature", "feature/", "features/x", "bugfix/x", "my/feature/x", ""})
    void otherBranches(String branch) {
        assertThat(GitBranches.isInPlace(branch)).isFalse();
        assertThat(GitBranches.isInPlace(null)).isFalse();
    }
}
