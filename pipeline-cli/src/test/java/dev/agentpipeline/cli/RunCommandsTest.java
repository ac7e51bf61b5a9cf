package dev.agentpipeline.cli;

import dev.agentpipeline.core.definition.StageBindings;
import dev.agentpipeline.core.internal.Json;
import dev.agentpipeline.core.story.StoryPipeline;
import dev.agentpipeline.stages.CommandSettings;
import dev.agentpipeline.spi.workspace.WorkspaceProvider;
import dev.agentpipeline.spi.workspace.WorkspaceProviderFactory;
import dev.agentpipeline.spi.workspace.WorkspaceSpec;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

class RunCommandsTest {

    @TempDir
    Path project;

    private record Answer(int exit, Map<String, Object> json, String progress) {
    }

    private Answer pipeline(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new PipelineMain().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), project, Map.of());
        String stdout = out.toString(StandardCharsets.UTF_8);
        String stderr = err.toString(StandardCharsets.UTF_8);
        if (exit == 2) {
            return new Answer(exit, Json.parseObject(stderr.substring(stderr.lastIndexOf("\n{") + 1)), stderr);
        }
        return new Answer(exit, Json.parseObject(stdout), stderr);
    }

    private static final String DRY_RUN = """
            schema_version: 1
            states:
              STAGE_0:
                - {scores: {plan_score: 4}, attributes: {tasks_remaining: [T-001]}}
              STAGE_1:
                - {verdict: NO-GO, scores: {readiness: 3}, attributes: {reason: vague}}
                - {verdict: GO, scores: {readiness: 8}}
              STAGE_2:
                - {attributes: {story_status: To Review}}
              STAGE_3:
                - {verdict: PASS, scores: {quality_score: 90}}
            """;

    @Test
    void dryRunsAStoryWithAScenarioToDone() throws Exception {
        // Given
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        // When
        Answer answer = pipeline("run", "--story", "US001", "--title", "Login form", "--scenario", "dry-run.yaml");

        // Then
        assertThat(answer.exit()).isZero();
        assertThat(answer.json()).containsEntry("ok", true).containsEntry("status", "completed")
                .containsEntry("final_phase", "DONE").containsEntry("validation_retries", 1L);
        assertThat(answer.progress()).contains("STAGE_1 completed: NO-GO", "STAGE_3 -> DONE");
        Answer status = pipeline("status", "--story", "US001");
        assertThat(status.json()).containsEntry("active", false).containsEntry("resume_action", "Pipeline complete");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFreshProjectWithoutPluginsIsToldWhichStatesAreUnboundAndACommandThatWorks() throws Exception {
        // When
        Answer answer = pipeline("run", "--story", "US1");

        // Then
        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "no_plugins_bound")
                .containsEntry("unbound_states", List.of("STAGE_0", "STAGE_1", "STAGE_2", "STAGE_3"));
        assertThat((List<Object>) answer.json().get("available_plugins")).contains("pipeline-command",
                "pipeline-scripted");
        assertThat((String) answer.json().get("error")).contains("STAGE_0", "story-decompose", "pipeline-scripted")
                .doesNotContain("Invalid pipeline definition");
        String fix = (String) answer.json().get("fix");
        assertThat(fix).contains("pipeline run --story US1 --scenario ", "--stages stages.yaml", "--plugins '{");
        assertThat(project).isEmptyDirectory();
        // the command of the fix works as it is: the sample scenario ships with the project
        String scenario = (String) answer.json().get("sample_scenario");
        assertThat(fix).contains("--scenario " + scenario + ".");
        assertThat(Path.of(scenario)).isAbsolute().isRegularFile();
        Answer dryRun = pipeline("run", "--story", "US1", "--scenario", scenario);
        assertThat(dryRun.exit()).as(dryRun.progress()).isZero();
        assertThat(dryRun.json()).containsEntry("final_phase", "DONE").containsEntry("validation_retries", 1L);
    }

    @Test
    void stagesLeftUnboundBesideAStageFileAreNamed() throws Exception {
        Files.writeString(project.resolve("stages.yaml"), """
                schema_version: 1
                stages:
                  STAGE_3:
                    plugin: pipeline-command
                    settings:
                      command: ["./gate.sh", "{summary_file}"]
                """);

        Answer answer = pipeline("run", "--story", "US2", "--stages", "stages.yaml");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "no_plugins_bound")
                .containsEntry("unbound_states", List.of("STAGE_0", "STAGE_1", "STAGE_2"));
        assertThat(pipeline("run", "--story", "US2", "--plugins", "{\"STAGE_2\":\"acme-implement\"}",
                "--scenario", "missing.yaml").json()).containsEntry("code", "scenario_missing");
    }

    @Test
    void runWithoutArgumentsInAFreshProjectSuggestsStory() {
        Answer answer = pipeline("run");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat((String) answer.json().get("fix")).contains("--story <id>");
        assertThat(project).isEmptyDirectory();
    }

    @Test
    void runWithAScenarioButNoStoryOrBoardSuggestsStory() throws Exception {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        Answer answer = pipeline("run", "--scenario", "dry-run.yaml");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "board_missing");
        assertThat((String) answer.json().get("fix")).contains("pipeline run --story <id>", "--from-stage");
    }

    @Test
    void pausesWhenTheScenarioFailsTheGateBeyondTheLimitAndSaysWhatToDo() throws Exception {
        Files.writeString(project.resolve("fails.yaml"), DRY_RUN.replace("{verdict: PASS, scores: {quality_score: 90}}",
                "{verdict: FAIL, scores: {quality_score: 40}}"));

        Answer answer = pipeline("run", "--story", "US002", "--scenario", "fails.yaml", "--from-stage", "2",
                "--max-quality-cycles", "1");

        assertThat(answer.exit()).isEqualTo(1);
        assertThat(answer.json()).containsEntry("status", "paused").containsEntry("final_phase", "PAUSED")
                .containsEntry("reason", "Quality cycle limit reached (1)").containsEntry("next_action",
                        "Escalate to user").containsEntry("quality_cycles", 1L);
    }

    @Test
    void runsTheQualityGateAsACommandFromAStageFile() throws Exception {
        // Given: scripted stages 0 to 2, the example gate script as stage 3, a clean project
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);
        Path gate = Path.of("../examples/agents/todo-gate.sh").toAbsolutePath().normalize();
        Files.writeString(project.resolve("stages.yaml"), "schema_version: 1\nstages:\n  STAGE_3:\n"
                + "    plugin: pipeline-command\n    settings:\n      command: [\"" + gate + "\", \"{summary_file}\"]\n"
                + "      timeout_seconds: 60\n");

        // When
        Answer answer = pipeline("run", "--story", "US010", "--title", "Export", "--scenario", "dry-run.yaml",
                "--stages", "stages.yaml");

        // Then
        assertThat(answer.exit()).as(answer.progress()).isZero();
        assertThat(answer.json()).containsEntry("final_phase", "DONE");
        assertThat(answer.progress()).contains("STAGE_3 attempt 1 (pipeline-command)", "STAGE_3 completed: PASS");
        String runId = (String) answer.json().get("run_id");
        try (var attempts = Files.list(project.resolve(".pipeline/runs").resolve(runId).resolve("attempts"))) {
            assertThat(attempts.filter(dir -> Files.exists(dir.resolve("stdout.log"))).toList()).singleElement()
                    .satisfies(dir -> assertThat(dir.resolve("stdout.log")).content().contains("PASS"));
        }
    }

    @Test
    void theShippedStageFilesAreValid() throws Exception {
        try (var files = Files.list(Path.of("../examples/agents"))) {
            List<Path> stageFiles = files.filter(f -> f.getFileName().toString().endsWith(".yaml")).toList();
            assertThat(stageFiles).hasSizeGreaterThanOrEqualTo(2);
            for (Path file : stageFiles) {
                StageBindings bindings = StageBindings.fromYaml(file);
                bindings.applyTo(StoryPipeline.definition());
                bindings.bindings().forEach(binding -> CommandSettings.parse(binding.settings()));
            }
        }
    }

    @Test
    void refusesAStageFileWithBadSettingsBeforeStartingARun() throws Exception {
        // Given
        Files.writeString(project.resolve("stages.yaml"), "schema_version: 1\nstages:\n  STAGE_2:\n"
                + "    plugin: pipeline-command\n    settings: {command: [./implement.sh, \"{stroy_id}\"]}\n");
        Files.writeString(project.resolve("typo.yaml"), "schema_version: 1\nstages:\n  STAGE_2:\n"
                + "    plugin: pipeline-command\n    setings: {}\n");

        // When
        Answer badTemplate = pipeline("run", "--story", "US011", "--stages", "stages.yaml");
        Answer badKey = pipeline("run", "--story", "US011", "--stages", "typo.yaml");

        // Then
        assertThat(badTemplate.exit()).isEqualTo(2);
        assertThat(badTemplate.json()).containsEntry("code", "invalid_stages");
        assertThat((String) badTemplate.json().get("error")).startsWith("Invalid stage file: "
                + project.resolve("stages.yaml") + ":3:").contains("unknown placeholder {stroy_id}");
        assertThat((String) badKey.json().get("error")).contains("typo.yaml:5:", "unknown key 'setings'");
        assertThat(project.resolve(".pipeline")).as("no run was started").doesNotExist();
    }

    @Test
    void namesTheAvailablePluginsWhenAStageIsBoundToAMissingOne() throws Exception {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        Answer answer = pipeline("run", "--story", "US003", "--scenario", "dry-run.yaml", "--plugins",
                "{\"STAGE_0\":\"acme-decompose\"}");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "missing_plugin");
        assertThat((String) answer.json().get("error")).contains("acme-decompose", "pipeline-scripted",
                "pipeline-command");
        assertThat(project.resolve(".pipeline")).as("no run was started").doesNotExist();
    }

    @Test
    void retriesARateLimitAfterTheGivenDelay() throws Exception {
        Files.writeString(project.resolve("limited.yaml"), DRY_RUN.replace(
                "  STAGE_2:\n    - {attributes: {story_status: To Review}}\n",
                "  STAGE_2:\n    - attempts:\n        - {status: failed, failure_class: rate_limited, message: \"HTTP 429\"}\n"
                        + "        - {attributes: {story_status: To Review}}\n"));

        Answer answer = pipeline("run", "--story", "US005", "--scenario", "limited.yaml", "--from-stage", "2",
                "--retry-delay-ms", "1");

        assertThat(answer.exit()).isZero();
        assertThat(answer.progress()).contains("retry after", "(rate_limited)");
    }

    @Test
    void rejectsPluginBindingsForUnknownStages() {
        Answer answer = pipeline("run", "--story", "US004", "--plugins", "{\"STAGE_9\":\"x\"}");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "invalid_flag");
        assertThat(project.resolve(".pipeline")).doesNotExist();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    /** Makes the project a git repository with everything in it committed on main. */
    private void commitProject() throws Exception {
        PersonIdent me = new PersonIdent("Test", "test@example.com");
        try (Git git = Git.init().setDirectory(project.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("Initial commit").setAuthor(me).setCommitter(me).setSign(false).call();
        }
    }

    private List<String> log(String branch) throws Exception {
        try (Git git = Git.open(project.toFile())) {
            List<String> messages = new ArrayList<>();
            git.log().add(git.getRepository().resolve(branch)).call()
                    .forEach(commit -> messages.add(commit.getShortMessage()));
            return messages;
        }
    }

    @Test
    void runsTheStoryInItsOwnWorktreeOnItsOwnBranch() throws Exception {
        // Given a git repository
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);
        commitProject();

        // When
        Answer answer = pipeline("run", "--story", "US001", "--title", "Login form", "--scenario", "dry-run.yaml");

        // Then the stages worked in .pipeline/worktrees/story-US001 on feature/US001-login-form, which is kept
        assertThat(answer.exit()).isZero();
        Path worktree = project.toRealPath().resolve(".pipeline/worktrees/story-US001");
        assertThat(answer.progress()).contains("workspace story-US001: " + worktree
                + " (linked worktree on feature/US001-login-form)",
                "no changes to commit on feature/US001-login-form; worktree removed, branch kept")
                .doesNotContain("not in a git repository");
        assertThat(log("feature/US001-login-form")).as("a dry run changes nothing").containsExactly("Initial commit");
        assertThat(worktree).doesNotExist();
        Map<String, Object> state = map(pipeline("status", "--story", "US001").json().get("state"));
        assertThat(state).containsEntry("branch_name", "feature/US001-login-form")
                .containsEntry("worktree_dir", worktree.toString());
        assertThat(map(state.get("workspace"))).containsEntry("state", "removed")
                .containsEntry("kind", "LINKED_WORKTREE");
        try (Git git = Git.open(project.toFile())) {
            org.eclipse.jgit.api.Status status = git.status().call();
            assertThat(status.getUncommittedChanges()).as(".pipeline is ignored").isEmpty();
            assertThat(status.getUntracked()).as("only the run's report and the trend, for people to commit")
                    .containsExactlyInAnyOrder("docs/tasks/reports/quality-trend.md",
                            "docs/tasks/reports/" + Path.of((String) answer.json().get("report")).getFileName());
            assertThat(git.getRepository().getBranch()).isEqualTo("main");
        }
    }

    @Test
    void savesTheWorkOnItsBranchWhenTheRunPauses() throws Exception {
        Files.writeString(project.resolve("fails.yaml"), DRY_RUN.replace("{verdict: PASS, scores: {quality_score: 90}}",
                "{verdict: FAIL, scores: {quality_score: 40}}"));
        commitProject();

        Answer answer = pipeline("run", "--story", "US002", "--title", "Search", "--scenario", "fails.yaml",
                "--from-stage", "2", "--max-quality-cycles", "1");

        assertThat(answer.exit()).isEqualTo(1);
        assertThat(answer.progress()).contains("work saved on feature/US002-search at ", "Report: ");
        assertThat(Files.readString(Path.of((String) answer.json().get("report"))))
                .contains("**Final State:** PAUSED at STAGE_3 \u2014 Quality cycle limit reached (1)");
        assertThat(log("feature/US002-search")).first().isEqualTo("WIP: US002 pipeline paused at stage 3");
        Map<String, Object> state = map(pipeline("status", "--story", "US002").json().get("state"));
        assertThat(map(state.get("workspace"))).containsEntry("state", "saved");
        assertThat(project.resolve(".pipeline/worktrees/story-US002")).doesNotExist();
        Map<String, Object> workspaces = pipeline("workspaces", "list").json();
        assertThat(workspaces).containsEntry("base_branch", "main").containsEntry("workspaces", List.of());
    }

    @Test
    void startsStoryBranchesFromTheBaseBranchItIsGivenWhereNoneIsFound() throws Exception {
        // Given a repository whose only branch is develop
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);
        commitProject();
        try (Git git = Git.open(project.toFile())) {
            git.branchRename().setOldName("main").setNewName("develop").call();
        }

        // When
        Answer unknown = pipeline("run", "--story", "US003", "--scenario", "dry-run.yaml");
        Answer listed = pipeline("workspaces", "list");
        Answer given = pipeline("run", "--story", "US003", "--scenario", "dry-run.yaml", "--base-branch", "develop");

        // Then the first is refused before any run starts, the second works from develop
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.json()).containsEntry("code", "no_base_branch");
        assertThat((String) unknown.json().get("fix")).contains("run --base-branch develop");
        assertThat(listed.json()).containsEntry("ok", true).containsEntry("base_branch", null);
        assertThat(given.exit()).isZero();
        assertThat(log("feature/US003-untitled")).containsExactly("Initial commit");
    }

    @Test
    void refusesARepositoryWithoutCommitsBeforeAnyRunStarts() throws Exception {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);
        Git.init().setDirectory(project.toFile()).setInitialBranch("main").call().close();

        Answer answer = pipeline("run", "--story", "US004", "--scenario", "dry-run.yaml");

        assertThat(answer.exit()).isEqualTo(2);
        assertThat(answer.json()).containsEntry("code", "no_commits");
        assertThat((String) answer.json().get("fix")).contains("git commit");
        assertThat(pipeline("status", "--story", "US004").json()).containsEntry("active", false)
                .doesNotContainKey("state");
    }

    @Test
    void worksInTheProjectItselfOutsideAGitRepository() throws Exception {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        Answer answer = pipeline("run", "--story", "US006", "--scenario", "dry-run.yaml");

        assertThat(answer.exit()).isZero();
        assertThat(answer.progress()).contains("is not in a git repository, so the stages work in it directly");
        assertThat(map(pipeline("status", "--story", "US006").json().get("state"))).doesNotContainKey("workspace");
        assertThat(pipeline("workspaces", "list").json()).containsEntry("code", "not_a_repository");
    }

    @Test
    void listsAndPrunesWorkspacesNoRunNeeds() throws Exception {
        // Given a worktree no run records, as a crash between its creation and its record would leave
        commitProject();
        WorkspaceProvider git = ServiceLoader.load(WorkspaceProviderFactory.class).findFirst().orElseThrow()
                .open(project, project.resolve(".pipeline/worktrees"));
        git.create(WorkspaceSpec.builder("story-US009", "feature/US009-lost").build());

        // When / Then
        List<?> listed = (List<?>) pipeline("workspaces", "list").json().get("workspaces");
        assertThat(listed).singleElement().satisfies(entry -> assertThat(map(entry))
                .containsEntry("name", "story-US009").containsEntry("run", "none").containsEntry("orphan", true));
        List<?> pruned = (List<?>) pipeline("workspaces", "prune").json().get("pruned");
        assertThat(pruned).singleElement().satisfies(entry -> assertThat(map(entry))
                .containsEntry("name", "story-US009").containsEntry("removed", true));
        assertThat(git.list()).isEmpty();
        assertThat(log("feature/US009-lost")).containsExactly("Initial commit");
    }

    @Test
    void statusWatchFollowsARunFromAnotherCallUntilItEndsThenAnswersTheStatus() throws Exception {
        // Given a started run, watched from another thread as another process would
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);
        assertThat(pipeline("start", "--story", "US007", "--title", "Watched").exit()).isZero();
        java.util.concurrent.CompletableFuture<Answer> watching = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> pipeline("status", "--story", "US007", "--watch", "--interval-ms", "20", "--progress", "lines"));

        // When the run is driven to its end
        Answer run = pipeline("run", "--story", "US007", "--scenario", "dry-run.yaml");
        Answer watched = watching.get(120, java.util.concurrent.TimeUnit.SECONDS);

        // Then the watcher saw every step and answered what status answers
        assertThat(run.exit()).isZero();
        assertThat(watched.exit()).isZero();
        assertThat(watched.progress()).contains("run story-us007-", "STAGE_1 completed: NO-GO", "STAGE_3 -> DONE");
        assertThat(watched.json()).containsEntry("active", false).containsEntry("resume_action", "Pipeline complete");
    }

    @Test
    void statusWatchOfNoRunOrAnEndedOneAnswersAtOnceAndBadFlagsAreRefused() throws Exception {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);

        Answer none = pipeline("status", "--watch", "--progress", "lines");
        pipeline("run", "--story", "US008", "--scenario", "dry-run.yaml");
        Answer ended = pipeline("status", "--story", "US008", "--watch", "--progress", "live");
        Answer interval = pipeline("status", "--watch", "--interval-ms", "5");
        Answer progress = pipeline("run", "--story", "US009", "--progress", "fancy");

        assertThat(none.json()).containsEntry("active", false);
        assertThat(none.progress()).isEmpty();
        assertThat(ended.progress()).contains("\u001b[6F\u001b[J").contains("ended: DONE");
        assertThat(interval.exit()).isEqualTo(2);
        assertThat(interval.json()).containsEntry("code", "invalid_flag");
        assertThat(progress.json()).containsEntry("code", "invalid_flag")
                .containsEntry("error", "--progress must be auto, live or lines (got 'fancy')");
    }

    @Test
    void businessQuestionsPauseTheRunBeforeExecutionUntilDecideAnswersThem() throws Exception {
        // Given a story whose brief asks two business questions
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);
        Files.writeString(project.resolve("US010.md"), "# US010\n\n<!-- ORCHESTRATOR_BRIEF_START -->\n"
                + "Business questions:\n- payment: Which payment provider? (Stripe/PayPal)\n- How long is a cart kept?\n"
                + "<!-- ORCHESTRATOR_BRIEF_END -->\n");

        // When the run starts, it asks them in one batch and pauses before any stage
        Answer asked = pipeline("run", "--story", "US010", "--scenario", "dry-run.yaml", "--questions", "US010.md");

        // Then
        assertThat(asked.exit()).isEqualTo(1);
        assertThat(asked.json()).containsEntry("status", "paused");
        assertThat((String) asked.json().get("next_action")).startsWith("pipeline decide --story US010 --answers '");
        Map<String, Object> pending = map(map(pipeline("status", "--story", "US010").json().get("state"))
                .get("pending_decision"));
        assertThat(pending).containsEntry("type", "business_questions");
        assertThat((List<?>) pending.get("questions")).hasSize(2);
        assertThat(asked.progress()).doesNotContain("STAGE_0 attempt");

        // And answers that do not fit are refused, with what is wrong
        Answer wrong = pipeline("decide", "--story", "US010", "--answers", "{\"payment\": \"Bitcoin\", \"x\": \"y\"}");
        assertThat(wrong.exit()).isEqualTo(2);
        assertThat((String) wrong.json().get("error")).contains("'x' is not a pending question",
                "'payment' must be one of [Stripe, PayPal] (got 'Bitcoin')", "'q2' has no answer");

        // When they are answered, the run resumes and goes on to DONE with the answers for every stage
        Answer decided = pipeline("decide", "--story", "US010", "--answers",
                "{\"payment\": \"stripe\", \"q2\": \"30 days\"}");
        assertThat(decided.exit()).isZero();
        assertThat(decided.json()).containsEntry("business_answers", Map.of("payment", "Stripe", "q2", "30 days"));
        Answer done = pipeline("run", "--story", "US010", "--scenario", "dry-run.yaml", "--questions", "US010.md");
        assertThat(done.exit()).isZero();
        Map<String, Object> state = map(pipeline("status", "--story", "US010").json().get("state"));
        assertThat(state).containsEntry("pending_decision", null)
                .containsEntry("business_answers", Map.of("payment", "Stripe", "q2", "30 days"));
        assertThat(pipeline("decide", "--story", "US010", "--answers", "{}").json())
                .containsEntry("code", "no_pending_decision");
    }

    private Answer onTerminal(List<String> typed, String... args) {
        java.util.Iterator<String> lines = typed.iterator();
        Terminal terminal = () -> lines.hasNext() ? lines.next() : null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new PipelineMain(PipelineMain.commands(), java.util.Optional.of(terminal)).run(args,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                project, Map.of());
        String stdout = out.toString(StandardCharsets.UTF_8);
        return new Answer(exit, Json.parseObject(exit == 2 ? err.toString(StandardCharsets.UTF_8) : stdout),
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void onATerminalThePersonAnswersTheQuestionsAndTheRunGoesOn() throws Exception {
        // Given
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);
        Files.writeString(project.resolve("questions.yaml"), """
                - {id: payment, question: Which provider?, options: [Stripe, PayPal]}
                - {id: retention, question: How long is a cart kept?}
                """.replace("Which provider?", "'Which provider?'").replace("How long is a cart kept?",
                "'How long is a cart kept?'"));

        // When a person types a wrong option, then a number, then a text
        Answer answered = onTerminal(List.of("Bitcoin", "2", "30 days"), "run", "--story", "US013", "--scenario",
                "dry-run.yaml", "--questions", "questions.yaml", "--progress", "lines");
        // and another person stops at the first question
        Answer later = onTerminal(List.of(""), "run", "--story", "US014", "--scenario", "dry-run.yaml",
                "--questions", "questions.yaml", "--progress", "lines");

        // Then
        assertThat(answered.exit()).isZero();
        assertThat(answered.progress()).contains("Which provider? [1) Stripe, 2) PayPal]",
                "'Bitcoin' is none of the options");
        assertThat(map(pipeline("status", "--story", "US013").json().get("state")))
                .containsEntry("business_answers", Map.of("payment", "PayPal", "retention", "30 days"));
        assertThat(later.exit()).isEqualTo(1);
        assertThat(later.json()).containsEntry("status", "paused");
        assertThat(map(pipeline("status", "--story", "US014").json().get("state")).get("pending_decision"))
                .isNotNull();
    }

    @Test
    void questionsAnsweredUpFrontAskNothingAndABadQuestionsFileStartsNoRun() throws Exception {
        Files.writeString(project.resolve("dry-run.yaml"), DRY_RUN);
        Files.writeString(project.resolve("questions.yaml"), "- id: payment\n  question: Which provider?\n");
        Files.writeString(project.resolve("bad.yaml"), "payment: Which provider?\n");

        Answer answered = pipeline("run", "--story", "US011", "--scenario", "dry-run.yaml", "--questions",
                "questions.yaml", "--business-answers", "{\"payment\": \"Stripe\"}");
        Answer bad = pipeline("run", "--story", "US012", "--scenario", "dry-run.yaml", "--questions", "bad.yaml");

        assertThat(answered.exit()).isZero();
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.json()).containsEntry("code", "invalid_questions");
        assertThat(pipeline("status", "--story", "US012").json()).containsEntry("active", false);
    }
}
