package dev.agentpipeline.git;

import dev.agentpipeline.spi.workspace.WorkspaceException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the git command line is run: argument lists, no prompts, C locale, a time limit. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class GitCliTest {

    @TempDir
    Path temp;

    /** A stand-in for git that prints its arguments, one a line, and the variables that matter. */
    private Path fakeGit(String body) throws Exception {
        Path script = temp.resolve("fake-git");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        return script;
    }

    @Test
    void passesArgumentsVerbatimWithoutAShell() throws Exception {
        Path git = fakeGit("for a in \"$@\"; do echo \"[$a]\"; done");
        String hostile = "a b; touch " + temp.resolve("pwned") + " $(id) `id` | cat";

        GitCli.Result result = new GitCli(git.toString(), Duration.ofSeconds(30)).run(temp, List.of("x", hostile));

        assertThat(result.ok()).isTrue();
        assertThat(result.stdout()).isEqualTo("[x]\n[" + hostile + "]\n");
        assertThat(temp.resolve("pwned")).doesNotExist();
    }

    @Test
    void runsWithoutPromptsInTheCLocaleAndWithoutTheCallersRepositoryVariables() throws Exception {
        Path git = fakeGit("echo \"prompt=$GIT_TERMINAL_PROMPT lc=$LC_ALL dir=${GIT_DIR-unset}\"; cat");

        GitCli.Result result = new GitCli(git.toString(), Duration.ofSeconds(30)).run(temp, List.of());

        assertThat(result.stdout()).isEqualTo("prompt=0 lc=C dir=unset\n"); // and stdin is at its end at once
    }

    @Test
    void reportsTheExitCodeAndStderr() throws Exception {
        Path git = fakeGit("echo 'fatal: something' >&2; exit 128");
        GitCli cli = new GitCli(git.toString(), Duration.ofSeconds(30));

        assertThatThrownBy(() -> cli.require(temp, List.of("worktree", "add"), "git_failed", "Doing it", "Fix it"))
                .isInstanceOfSatisfying(WorkspaceException.class, e -> {
                    assertThat(e.code()).isEqualTo("git_failed");
                    assertThat(e.getMessage()).contains("Doing it failed").contains("worktree add")
                            .contains("exited with 128").contains("fatal: something").contains(temp.toString());
                    assertThat(e.fix()).isEqualTo("Fix it");
                });
    }

    @Test
    void stopsACommandThatRunsPastTheTimeLimit() throws Exception {
        Path git = fakeGit("echo waiting >&2; exec sleep 600");
        GitCli cli = new GitCli(git.toString(), Duration.ofMillis(300));

        assertThatThrownBy(() -> cli.run(temp, List.of("push"))).isInstanceOfSatisfying(WorkspaceException.class,
                e -> {
                    assertThat(e.code()).isEqualTo("git_timeout");
                    assertThat(e.fix()).contains("commandTimeout");
                });
    }

    @Test
    void aMissingExecutableIsNotAvailable() {
        GitCli cli = new GitCli(temp.resolve("nothing-here").toString(), Duration.ofSeconds(5));

        assertThat(cli.available()).isFalse();
        assertThatThrownBy(() -> cli.run(temp, List.of("--version"))).isInstanceOfSatisfying(
                WorkspaceException.class, e -> assertThat(e.code()).isEqualTo("git_not_found"));
        assertThat(new GitCli("git", Duration.ofSeconds(30)).available()).isTrue();
    }
}
