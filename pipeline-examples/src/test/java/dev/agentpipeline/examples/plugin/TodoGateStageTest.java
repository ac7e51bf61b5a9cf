package dev.agentpipeline.examples.plugin;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.agentpipeline.spi.FailureClass;
import dev.agentpipeline.spi.OutcomeStatus;
import dev.agentpipeline.spi.ProgressSignal;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageProgress;
import dev.agentpipeline.spi.StageRegistry;
import dev.agentpipeline.testkit.TestStageContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The example plugin of docs/plugin-guide.md, tested the way the guide tells plugin authors to test theirs. */
class TodoGateStageTest {

    @TempDir
    Path workspace;

    private final TodoGateStage stage = new TodoGateStage();

    // snippet:test-pass
    @Test
    void passesAWorkspaceWithoutMarkers() throws Exception {
        // Given
        write("src/main/java/demo/App.java", "class App {\n    // Handles greetings.\n}\n");
        TestStageContext context = TestStageContext.builder()
                .subject("US001", "Greet users")
                .state("STAGE_3")
                .workspace(workspace)
                .build();

        // When
        StageOutcome outcome = stage.run(context);

        // Then
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.COMPLETED);
        assertThat(outcome.verdict()).contains("PASS");
        assertThat(outcome.metrics()).containsEntry("todo.count", 0.0).containsEntry("files.scanned", 1.0);
        assertThat(context.savedProgress()).hasSize(1);
    }
    // end:test-pass

    @Test
    void failsWithAReworkHintThatListsTheMarkers() throws Exception {
        // Given
        write("src/main/java/demo/App.java", "class App {\n    // TODO handle blank names\n}\n");
        write("scripts/release.sh", "#!/bin/sh\necho ok\n# FIXME sign the artifacts\n");
        write("README.md", "TODO: not a source file, not scanned\n");

        // When
        StageOutcome outcome = stage.run(context().build());

        // Then
        assertThat(outcome.verdict()).contains("FAIL");
        assertThat(outcome.metrics()).containsEntry("todo.count", 2.0);
        @SuppressWarnings("unchecked")
        Map<String, Object> hint = (Map<String, Object>) outcome.attribute("rework_hint").orElseThrow();
        assertThat(hint).containsEntry("blocking_categories", List.of("todo-markers"))
                .containsEntry("suggested_focus", "Resolve or remove the 2 TODO/FIXME markers");
        assertThat(hint.get("markers")).isEqualTo(List.of("scripts/release.sh:3: # FIXME sign the artifacts",
                "src/main/java/demo/App.java:2: // TODO handle blank names"));
        assertThat(outcome.attribute("issues")).contains(
                "2 TODO/FIXME markers, the first at scripts/release.sh:3: # FIXME sign the artifacts");
    }

    @Test
    void listsAtMostTwentyMarkersButCountsAll() throws Exception {
        write("src/Many.java", "// TODO\n".repeat(25));

        StageOutcome outcome = stage.run(context().build());

        assertThat(outcome.metrics()).containsEntry("todo.count", 25.0);
        assertThat((List<?>) ((Map<?, ?>) outcome.attribute("rework_hint").orElseThrow()).get("markers"))
                .hasSize(TodoGateStage.LISTED);
    }

    @Test
    void matchesWholeUpperCaseWordsOnly() throws Exception {
        write("src/Words.java", "// todo list, TODOS, MASTODON\nclass Words {}\n");

        assertThat(stage.run(context().build()).verdict()).contains("PASS");
    }

    @Test
    void skipsHiddenDirectoriesAndBuildOutput() throws Exception {
        write("target/generated/Gen.java", "// TODO generated\n");
        write(".git/hooks/pre-commit.sh", "# FIXME\n");
        write("node_modules/lib/index.js", "// TODO\n");
        write("src/Clean.java", "class Clean {}\n");

        StageOutcome outcome = stage.run(context().build());

        assertThat(outcome.verdict()).contains("PASS");
        assertThat(outcome.metrics()).containsEntry("files.scanned", 1.0);
    }

    @Test
    void savesProgressAfterEveryBatchOfFiles() throws Exception {
        // Given 120 files: batches of 50, 50 and 20
        for (int i = 0; i < 120; i++) {
            write(String.format("src/F%03d.java", i), i == 7 ? "// TODO seven\n" : "class F {}\n");
        }
        TestStageContext context = context().build();

        // When
        stage.run(context);

        // Then
        List<Map<String, Object>> saved = context.savedProgress();
        assertThat(saved).extracting(snapshot -> snapshot.get("scanned_through"))
                .containsExactly("src/F049.java", "src/F099.java", "src/F119.java");
        assertThat(saved).extracting(snapshot -> snapshot.get("complete")).containsExactly(false, false, true);
        assertThat(saved.get(0).get("findings")).isEqualTo(List.of("src/F007.java:1: // TODO seven"));
    }

    // snippet:test-resume
    @Test
    void continuesTheScanAnEarlierAttemptOfTheVisitLeftUnfinished() throws Exception {
        // Given: an attempt crashed after saving its first batch, with one marker found in it
        for (int i = 0; i < 60; i++) {
            write(String.format("src/F%03d.java", i), "// TODO in every file\n");
        }
        TestStageContext context = context()
                .attempt(2)
                .savedProgress(Map.of("scanned_through", "src/F049.java",
                        "findings", List.of("src/F000.java:1: // TODO earlier"), "complete", false))
                .build();

        // When
        StageOutcome outcome = stage.run(context);

        // Then: the first 50 files were not read again, their finding was kept
        assertThat(outcome.metrics()).containsEntry("todo.count", 11.0);
        assertThat(context.savedProgress()).last()
                .satisfies(snapshot -> assertThat(snapshot).containsEntry("complete", true));
    }
    // end:test-resume

    @Test
    void startsOverWhenTheVisitsLastScanWasComplete() throws Exception {
        // A person fixed the files and resumed the run: the rerun must not reuse the old findings.
        write("src/Fixed.java", "class Fixed {}\n");
        TestStageContext context = context()
                .savedProgress(Map.of("scanned_through", "src/Fixed.java",
                        "findings", List.of("src/Fixed.java:1: // TODO old"), "complete", true))
                .build();

        assertThat(stage.run(context).verdict()).contains("PASS");
    }

    @Test
    void stopsBeforeTheFirstBatchWhenCancelledWithoutClaimingProgress() throws Exception {
        write("src/App.java", "class App {}\n");
        TestStageContext context = context().build();
        context.cancel();

        StageOutcome outcome = stage.run(context);

        assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
        assertThat(outcome.failureClass()).isEqualTo(FailureClass.AGENT_ERROR);
        assertThat(outcome.failure().orElseThrow().message()).isEqualTo("Stopped on request after 0 of 1 files");
        assertThat(outcome.progress()).isEmpty();
        assertThat(context.savedProgress()).isEmpty();
    }

    @Test
    void stopsBetweenBatchesWhenCancelledAndReportsTheSavedProgress() throws Exception {
        // Given a context that is cancelled as soon as the first batch is saved
        for (int i = 0; i < 70; i++) {
            write(String.format("src/F%03d.java", i), "class F {}\n");
        }
        TestStageContext delegate = context().build();
        StageContext cancelAfterFirstSave = new CancelAfterSave(delegate);

        // When
        StageOutcome outcome = stage.run(cancelAfterFirstSave);

        // Then
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
        assertThat(outcome.failure().orElseThrow().message()).isEqualTo("Stopped on request after 50 of 70 files");
        assertThat(outcome.progress()).containsExactly(ProgressSignal.CHECKPOINT_DELTA);
        assertThat(delegate.savedProgress()).hasSize(1);
    }

    @Test
    void readsItsMarkersFromTheRunsInputs() throws Exception {
        write("src/App.java", "// TODO not counted\n// XXX counted\n");

        StageOutcome outcome = stage.run(context().input(TodoGateStage.MARKERS_INPUT, List.of("XXX")).build());

        assertThat(outcome.metrics()).containsEntry("todo.count", 1.0);
    }

    @Test
    void rejectsMalformedMarkersWithAnExceptionTheRuntimeRecordsAsAFailure() {
        assertThatThrownBy(() -> stage.run(context().input(TodoGateStage.MARKERS_INPUT, "TODO").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Input todo_markers must be a non-empty list of words, such as [\"TODO\", \"FIXME\"];"
                        + " got TODO");
    }

    @Test
    void isFoundByServiceLoaderBesideTheBuiltInPlugins() {
        StageRegistry stages = StageRegistry.load(TodoGateStage.class.getClassLoader());

        assertThat(stages.require(TodoGateStage.ID)).isInstanceOf(TodoGateStage.class);
        assertThat(stages.ids()).contains("pipeline-scripted", "pipeline-command");
    }

    @Test
    void isWrittenAgainstTheSpiAlone() {
        JavaClasses plugin = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.agentpipeline.examples.plugin");

        classes().should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.agentpipeline.spi..",
                        "dev.agentpipeline.examples.plugin..")
                .because("docs/plugin-guide.md promises a plugin needs pipeline-spi and the JDK only")
                .check(plugin);
    }

    private TestStageContext.Builder context() {
        return TestStageContext.builder().subject("US001", "Greet users").state("STAGE_3").workspace(workspace);
    }

    private void write(String relative, String content) throws IOException {
        Path file = workspace.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** A context whose progress storage requests cancellation after the first save, as a stop between batches. */
    private static final class CancelAfterSave implements StageContext {
        private final TestStageContext delegate;

        CancelAfterSave(TestStageContext delegate) {
            this.delegate = delegate;
        }

        @Override
        public StageProgress progress() {
            StageProgress progress = delegate.progress();
            return new StageProgress() {
                @Override
                public Optional<Map<String, Object>> last() {
                    return progress.last();
                }

                @Override
                public void save(Map<String, ?> snapshot) {
                    progress.save(snapshot);
                    delegate.cancel();
                }
            };
        }

        @Override
        public boolean isCancelled() {
            return delegate.isCancelled();
        }

        @Override
        public String runId() {
            return delegate.runId();
        }

        @Override
        public String pipelineId() {
            return delegate.pipelineId();
        }

        @Override
        public String subjectId() {
            return delegate.subjectId();
        }

        @Override
        public String subjectTitle() {
            return delegate.subjectTitle();
        }

        @Override
        public String stateId() {
            return delegate.stateId();
        }

        @Override
        public int attempt() {
            return delegate.attempt();
        }

        @Override
        public int visit() {
            return delegate.visit();
        }

        @Override
        public String attemptId() {
            return delegate.attemptId();
        }

        @Override
        public Path workspace() {
            return delegate.workspace();
        }

        @Override
        public Map<String, Object> inputs() {
            return delegate.inputs();
        }

        @Override
        public Optional<StageOutcome> previousOutcome(String stateId) {
            return delegate.previousOutcome(stateId);
        }

        @Override
        public Clock clock() {
            return delegate.clock();
        }
    }
}
