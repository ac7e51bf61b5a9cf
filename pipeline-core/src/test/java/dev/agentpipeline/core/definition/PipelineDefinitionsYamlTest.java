package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.Condition;
import dev.agentpipeline.core.guard.ConditionGuard;
import dev.agentpipeline.core.guard.GuardRegistry;
import dev.agentpipeline.core.guard.GuardResult;
import dev.agentpipeline.core.guard.Operator;
import dev.agentpipeline.spi.Stage;
import dev.agentpipeline.spi.StageContext;
import dev.agentpipeline.spi.StageOutcome;
import dev.agentpipeline.spi.StageRegistry;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Loading definitions from YAML files: every problem is a {@link DefinitionException} whose problems name the
 * file, line and column where a person has to look.
 */
class PipelineDefinitionsYamlTest {

    /** A small valid pipeline; the tests break one line of it at a time. Line numbers are noted on the right. */
    private static final String VALID = String.join("\n",
            "schema_version: 1",                                                   // 1
            "id: mini",                                                            // 2
            "title: Mini pipeline",                                                // 3
            "initial: QUEUED",                                                     // 4
            "counters:",                                                           // 5
            "  retries: {limit: 2, error: \"Retried ${value} of ${limit}\"}",      // 6
            "states:",                                                             // 7
            "  QUEUED: {}",                                                        // 8
            "  WORK:",                                                             // 9
            "    stage: acme-work",                                                // 10
            "  DONE:",                                                             // 11
            "    terminal: true",                                                  // 12
            "transitions:",                                                        // 13
            "  - from: QUEUED",                                                    // 14
            "    to: WORK",                                                        // 15
            "  - from: WORK",                                                      // 16
            "    to: DONE",                                                        // 17
            "    guards:",                                                         // 18
            "      - require: {outcome.WORK.verdict: {eq: PASS}}",                 // 19
            "        reject: {code: not_passed, error: \"Verdict ${outcome.WORK.verdict}\", recovery: Fix it}", // 20
            "  - from: WORK",                                                      // 21
            "    to: WORK",                                                        // 22
            "    increments: retries",                                             // 23
            "");

    @TempDir
    Path temp;

    private Path file;

    @BeforeEach
    void setUp() {
        file = temp.resolve("mini.yaml");
    }

    private PipelineDefinition load(String yaml) throws IOException {
        return load(yaml, GuardRegistry.empty());
    }

    private PipelineDefinition load(String yaml, GuardRegistry guards) throws IOException {
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return PipelineDefinitions.fromYaml(file, guards);
    }

    private DefinitionException rejected(String yaml) {
        return catchThrowableOfType(DefinitionException.class, () -> load(yaml));
    }

    private static String edit(String search, String replacement) {
        if (!VALID.contains(search)) {
            throw new IllegalArgumentException("the valid definition has no '" + search + "'");
        }
        return VALID.replace(search, replacement);
    }

    /** Asserts a single problem at a line and column whose message contains the given parts. */
    private DefinitionProblem singleProblem(DefinitionException exception, int line, int column, String... parts) {
        assertThat(exception).as("a DefinitionException").isNotNull();
        assertThat(exception.problems()).hasSize(1);
        DefinitionProblem problem = exception.problems().get(0);
        assertThat(problem.location()).isEqualTo(new SourceLocation(file.toString(), line, column));
        assertThat(problem.message()).contains(parts);
        assertThat(exception).hasMessageStartingWith("Invalid pipeline definition: " + file + ":" + line + ":"
                + column + ": ");
        return problem;
    }

    @Test
    void loadsAValidDefinition() throws IOException {
        // When
        PipelineDefinition definition = load(VALID);

        // Then
        assertThat(definition.id()).isEqualTo("mini");
        assertThat(definition.title()).isEqualTo("Mini pipeline");
        assertThat(definition.initialState()).isEqualTo("QUEUED");
        assertThat(definition.states().keySet()).containsExactly("QUEUED", "WORK", "DONE");
        assertThat(definition.state("WORK").orElseThrow().stagePlugin()).contains("acme-work");
        assertThat(definition.isTerminal("DONE")).isTrue();
        assertThat(definition.counter("retries").orElseThrow().limit()).isEqualTo(2);
        assertThat(definition.counter("retries").orElseThrow().code()).isEqualTo("retries_limit");
        assertThat(definition.counter("retries").orElseThrow().recovery().text()).isEqualTo("Escalate to a person");
        assertThat(definition.transitionsFrom("WORK")).extracting(TransitionDefinition::to)
                .containsExactly("DONE", "WORK");
        assertThat(definition.transition("WORK", "WORK").orElseThrow().counter()).contains("retries");
        assertThat(definition.location()).isEqualTo(new SourceLocation(file.toString(), 1, 1));
        assertThat(definition.state("WORK").orElseThrow().location())
                .isEqualTo(new SourceLocation(file.toString(), 9, 3));
        assertThat(definition.transition("WORK", "DONE").orElseThrow().location())
                .isEqualTo(new SourceLocation(file.toString(), 16, 5));
    }

    @Test
    void acceptsAStateWithNothingToSay() throws IOException {
        PipelineDefinition definition = load(edit("  QUEUED: {}", "  QUEUED:"));

        assertThat(definition.state("QUEUED").orElseThrow().description()).isEmpty();
    }

    @Test
    void rejectsATransitionToNoState() {
        singleProblem(rejected(edit("    to: WORK\n  - from: WORK\n    to: DONE", "    to: []\n  - from: WORK\n    to: DONE")
                .replace("  - from: QUEUED\n    to: []", "  - from: QUEUED\n    to: []\n  - from: QUEUED\n    to: WORK")),
                15, 9, "'to' is an empty list");
    }

    @Test
    void rejectsStatesThatDifferOnlyByCase() {
        DefinitionException exception = rejected(edit("  DONE:\n    terminal: true", "  DONE:\n    terminal: true\n  Work:\n    terminal: true"));

        assertThat(exception.problems()).anySatisfy(problem -> assertThat(problem.message())
                .contains("states WORK and Work differ only by case"));
    }

    @Test
    void rejectsAStateNamedLikeAFieldOfTheRunsFiles() {
        DefinitionException exception = rejected(edit("  DONE:\n    terminal: true",
                "  DONE:\n    terminal: true\n  schema_version:\n    terminal: true"));

        assertThat(exception.problems()).anySatisfy(problem -> assertThat(problem.message())
                .contains("state id 'schema_version' is reserved"));
    }

    @Test
    void reportsAMissingFile() {
        Path missing = temp.resolve("nope.yaml");

        assertThatThrownBy(() -> PipelineDefinitions.fromYaml(missing))
                .isInstanceOf(DefinitionException.class)
                .hasMessageContaining(missing + ": file not found");
    }

    @Nested
    class YamlItself {

        @Test
        void namesTheLineAndColumnOfASyntaxError() {
            // Given an unclosed flow sequence on line 2
            String yaml = "schema_version: 1\nid: [mini\ninitial: QUEUED\n";

            // When
            DefinitionException e = rejected(yaml);

            // Then
            singleProblem(e, 3, 8, "not valid YAML", "expected ',' or ']'");
        }

        @Test
        void namesBothLinesOfADuplicateKey() {
            // Given WORK defined a second time, at line 11
            DefinitionException e = rejected(edit("  DONE:\n", "  WORK: {stage: acme-other}\n  DONE:\n"));

            // Then
            singleProblem(e, 11, 3, "duplicate key 'WORK' (first at line 9)");
        }

        @Test
        void reportsEveryDuplicateKeyWithTheOtherProblems() {
            // Given WORK defined again at line 11, a second 'title' at line 4 and a typo at line 13
            DefinitionException e = rejected(edit("  DONE:\n    terminal: true", "  WORK: {stage: acme-other}\n  DONE:\n"
                    + "    terminal: true\n    termnial: true").replace("title: Mini pipeline", "title: Mini pipeline\ntitle: Mini"));

            // Then all three are reported at once, and the first WORK is the one that counts
            assertThat(e).isNotNull();
            assertThat(e.problems()).extracting(p -> p.location().line() + ":" + p.location().column() + ": "
                    + p.message()).containsExactly(
                    "4:1: duplicate key 'title' (first at line 3)",
                    "12:3: duplicate key 'WORK' (first at line 10)",
                    "15:5: unknown key 'termnial' in state DONE; expected children, collect, description, gate,"
                            + " properties, settings, signal, stage, summary_stand_in, terminal");
        }

        @Test
        void rejectsADocumentThatIsNotAMapping() {
            // Given a list where the definition's mapping belongs
            DefinitionException e = rejected("- QUEUED\n- DONE\n");

            // Then
            singleProblem(e, 1, 1, "the pipeline definition must be a mapping (key: value lines), got a list");
        }

        @Test
        void rejectsADefinitionWithoutStates() {
            // Given
            String yaml = "schema_version: 1\nid: mini\ninitial: QUEUED\ntransitions: []\n";

            // When
            DefinitionException e = rejected(yaml);

            // Then
            singleProblem(e, 1, 1, "the pipeline definition needs 'states'");
        }

        @Test
        void rejectsStatesThatAreNotAMapping() {
            // Given a list of names where the states' mapping belongs (line 8)
            DefinitionException e = rejected(edit("  QUEUED: {}\n  WORK:\n    stage: acme-work\n  DONE:\n    terminal: true\n",
                    "  - QUEUED\n"));

            // Then the loader reports it instead of failing, and does not call the states the transitions name
            // unknown: no state could be read
            assertThat(e).isNotNull();
            assertThat(e.problems()).extracting(DefinitionProblem::message)
                    .contains("states must be a mapping (key: value lines), got a list")
                    .noneMatch(message -> message.contains("unknown state"));
            assertThat(e.problems()).extracting(p -> p.location().line()).contains(8);
        }

        @Test
        void reportsCountersThatAreNotAMappingInsteadOfFailing() {
            // Given a list of names where the counters' mapping belongs (line 5)
            DefinitionException e = rejected(edit("counters:\n  retries: {limit: 2, error: \"Retried ${value} of ${limit}\"}",
                    "counters: [retries]"));

            // Then
            assertThat(e).isNotNull();
            assertThat(e.problems()).extracting(DefinitionProblem::message)
                    .contains("counters must be a mapping (key: value lines), got a list");
            assertThat(e.problems()).extracting(p -> p.location().line()).contains(5);
        }

        @Test
        void rejectsAnEmptyFile() {
            singleProblem(rejected(""), 1, 1, "the file is empty");
        }
    }

    @Nested
    class KeysAndTypes {

        @Test
        void rejectsAnUnknownKeyListingTheExpectedOnes() {
            // Given a typo on line 11
            DefinitionException e = rejected(edit("    stage: acme-work\n", "    stage: acme-work\n    stgae: typo\n"));

            // Then
            singleProblem(e, 11, 5, "unknown key 'stgae' in state WORK",
                    "expected children, collect, description, gate, properties, settings, signal, stage, summary_stand_in, terminal");
        }

        @Test
        void rejectsAnUnknownTopLevelKey() {
            DefinitionException e = rejected(edit("title: Mini pipeline", "titel: Mini pipeline"));

            singleProblem(e, 3, 1, "unknown key 'titel' in the pipeline definition");
        }

        @Test
        void rejectsTextWhereABooleanBelongs() {
            DefinitionException e = rejected(edit("terminal: true", "terminal: yes please"));

            singleProblem(e, 12, 15, "state DONE: terminal must be true or false, got the text 'yes please'");
        }

        @Test
        void rejectsTextWhereANumberBelongs() {
            DefinitionException e = rejected(edit("{limit: 2,", "{limit: two,"));

            singleProblem(e, 6, 20, "counter retries: limit must be a whole number 0 or more, got the text 'two'");
        }

        @Test
        void rejectsANegativeLimit() {
            DefinitionException e = rejected(edit("{limit: 2,", "{limit: -1,"));

            singleProblem(e, 6, 20, "limit must be a whole number 0 or more, got the number -1");
        }

        @Test
        void rejectsAMappingWhereAListBelongs() {
            DefinitionException e = rejected(edit("    guards:\n      - require: {outcome.WORK.verdict: {eq: PASS}}\n"
                            + "        reject: {code: not_passed, error: \"Verdict ${outcome.WORK.verdict}\", recovery: Fix it}",
                    "    guards: {require: x}"));

            singleProblem(e, 18, 13, "'guards' must be a list, got a mapping");
        }

        @Test
        void rejectsAnUnsupportedSchemaVersion() {
            DefinitionException e = rejected(edit("schema_version: 1", "schema_version: 2"));

            singleProblem(e, 1, 17, "schema_version 2 is not supported");
        }

        @Test
        void rejectsAMissingInitialStateAtTheTopOfTheFile() {
            DefinitionException e = rejected(edit("initial: QUEUED\n", ""));

            singleProblem(e, 1, 1, "the pipeline definition needs 'initial'");
        }

        @Test
        void rejectsAnInitialStateThatIsNotDefined() {
            DefinitionException e = rejected(edit("initial: QUEUED", "initial: START"));

            singleProblem(e, 1, 1, "initial state 'START' is not defined; states are QUEUED, WORK, DONE");
        }
    }

    @Nested
    class References {

        @Test
        void rejectsATransitionToAnUnknownState() {
            DefinitionException e = rejected(edit("    to: DONE", "    to: DNOE"));

            singleProblem(e, 16, 5, "transition WORK -> DNOE: unknown state 'DNOE'; states are QUEUED, WORK, DONE");
        }

        @Test
        void explainsThatPausedNeedsNoTransition() {
            DefinitionException e = rejected(edit("    to: DONE", "    to: PAUSED"));

            singleProblem(e, 16, 5, "unknown state 'PAUSED'", "(PAUSED is implicit and needs no transition)");
        }

        @Test
        void rejectsAnIncrementOfAnUnknownCounter() {
            DefinitionException e = rejected(edit("increments: retries", "increments: retry"));

            singleProblem(e, 21, 5, "transition WORK -> WORK: increments unknown counter 'retry'; counters are retries");
        }

        @Test
        void rejectsAnEvidencePathNamingAnUnknownState() {
            DefinitionException e = rejected(edit("{outcome.WORK.verdict: {eq", "{outcome.WROK.verdict: {eq"));

            singleProblem(e, 19, 9, "transition WORK -> DONE: evidence path 'outcome.WROK.verdict' names unknown"
                    + " state 'WROK'; states are QUEUED, WORK, DONE");
        }

        @Test
        void rejectsAnEvidencePathNamingAnUnknownCounter() {
            DefinitionException e = rejected(edit("{outcome.WORK.verdict: {eq: PASS}}", "{counter.retry: {lt: 2}}"));

            singleProblem(e, 19, 9, "evidence path 'counter.retry' names unknown counter 'retry'; counters are"
                    + " retries");
        }

        @Test
        void rejectsAPlaceholderNamingAnUnknownState() {
            DefinitionException e = rejected(edit("error: \"Verdict ${outcome.WORK.verdict}\"",
                    "error: \"Verdict ${summary.NOPE.verdict}\""));

            singleProblem(e, 19, 9, "evidence path 'summary.NOPE.verdict' names unknown state 'NOPE'");
        }

        @Test
        void rejectsAnUnknownPlaceholderInACounterMessage() {
            DefinitionException e = rejected(edit("${limit}\"}", "${limt}\"}"));

            singleProblem(e, 6, 3, "counter retries: placeholder ${limt} is unknown");
        }

        @Test
        void rejectsAnUnknownCustomGuardListingTheRegisteredOnes() {
            // Given
            String yaml = edit("      - require: {outcome.WORK.verdict: {eq: PASS}}\n"
                    + "        reject: {code: not_passed, error: \"Verdict ${outcome.WORK.verdict}\", recovery: Fix it}",
                    "      - custom: business-hours");

            // When
            DefinitionException none = rejected(yaml);
            DefinitionException other = catchThrowableOfType(DefinitionException.class,
                    () -> load(yaml, GuardRegistry.empty().with("office-hours", context -> GuardResult.allow())));

            // Then
            singleProblem(none, 19, 17, "unknown custom guard 'business-hours'; registered guards: none");
            singleProblem(other, 19, 17, "registered guards: office-hours");
        }
    }

    @Nested
    class Conditions {

        @Test
        void rejectsAnOperandOfTheWrongType() {
            DefinitionException e = rejected(edit("{eq: PASS}", "{gte: \"five\"}"));

            singleProblem(e, 19, 42, "condition on outcome.WORK.verdict: 'gte' takes a number, got 'five'");
        }

        @Test
        void rejectsAnUnknownOperator() {
            DefinitionException e = rejected(edit("{eq: PASS}", "{greater: 5}"));

            singleProblem(e, 19, 42, "unknown operator 'greater'; use exists, eq, ne, in, not_in, gt, gte, lt or lte");
        }

        @Test
        void rejectsAConditionWithoutOperator() {
            DefinitionException e = rejected(edit("{eq: PASS}", "{optional: true}"));

            singleProblem(e, 19, 19, "condition on outcome.WORK.verdict has no operator");
        }

        @Test
        void rejectsAnEmptyList() {
            DefinitionException e = rejected(edit("{eq: PASS}", "{in: []}"));

            singleProblem(e, 19, 42, "'in' takes a non-empty list");
        }

        @Test
        void rejectsAListWhereAScalarBelongs() {
            DefinitionException e = rejected(edit("{eq: PASS}", "{eq: [PASS]}"));

            singleProblem(e, 19, 42, "'eq' compares with a string, number or boolean");
        }

        @Test
        void rejectsAGuardThatIsBothCustomAndDeclarative() {
            DefinitionException e = rejected(edit("      - require:", "      - custom: x\n        require:"));

            assertThat(e.problems()).extracting(DefinitionProblem::message)
                    .contains("a guard is either 'custom: <name>' or 'require' + 'reject', not both");
        }

        @Test
        void readsOperatorsOptionalityAndListsIntoConditions() throws IOException {
            // Given
            PipelineDefinition definition = load(edit("{outcome.WORK.verdict: {eq: PASS}}",
                    "{outcome.WORK.verdict: {in: [PASS, WAIVED]}, outcome.WORK.scores.readiness: {gte: 5, optional: true},"
                            + " outcome.WORK.metrics.coverage.line: {gt: 79.5, lte: 100}}"));

            // When
            ConditionGuard guard = (ConditionGuard) definition.transition("WORK", "DONE").orElseThrow().guards().get(0)
                    .guard();

            // Then
            assertThat(guard.conditions()).containsExactly(
                    Condition.of("outcome.WORK.verdict", Operator.IN, List.of("PASS", "WAIVED")),
                    Condition.of("outcome.WORK.scores.readiness", Operator.GTE, 5L).optional(),
                    Condition.of("outcome.WORK.metrics.coverage.line", Operator.GT, 79.5),
                    Condition.of("outcome.WORK.metrics.coverage.line", Operator.LTE, 100L));
            assertThat(guard.code()).isEqualTo("not_passed");
            assertThat(guard.recovery().text()).isEqualTo("Fix it");
        }
    }

    @Nested
    class Graph {

        @Test
        void rejectsAStateThatCannotBeReached() {
            // Given ORPHAN (line 11) with a way out but no way in
            DefinitionException e = rejected(edit("  DONE:\n", "  ORPHAN:\n    stage: acme-x\n  DONE:\n")
                    .replace("  - from: WORK\n    to: WORK\n", "  - from: ORPHAN\n    to: DONE\n  - from: WORK\n    to: WORK\n"));

            // Then
            singleProblem(e, 11, 3, "state ORPHAN is unreachable from the initial state QUEUED");
        }

        @Test
        void rejectsANonTerminalStateWithoutAWayOut() {
            // Given WORK's transitions removed, QUEUED goes to DONE as well
            DefinitionException e = rejected(edit(
                    "  - from: WORK\n    to: DONE\n    guards:\n      - require: {outcome.WORK.verdict: {eq: PASS}}\n"
                            + "        reject: {code: not_passed, error: \"Verdict ${outcome.WORK.verdict}\", recovery: Fix it}\n"
                            + "  - from: WORK\n    to: WORK\n    increments: retries\n",
                    "  - from: QUEUED\n    to: DONE\n"));

            // Then
            singleProblem(e, 9, 3, "state WORK has no way out; add a transition from it or mark it terminal");
        }

        @Test
        void rejectsACycleWithoutABoundedCounterNamingTheCycle() {
            DefinitionException e = rejected(edit("    increments: retries\n", ""));

            singleProblem(e, 21, 5, "cycle WORK -> WORK has no bounded counter",
                    "add 'increments: <counter>' (a counter with a limit) to one of its transitions");
        }

        @Test
        void namesEveryStateOfALongerUnboundedCycle() {
            // Given WORK -> REVIEW -> WORK without a counter
            DefinitionException e = rejected(edit("  DONE:\n", "  REVIEW:\n    stage: acme-review\n  DONE:\n")
                    .replace("    to: DONE\n", "    to: [DONE, REVIEW]\n")
                    .replace("  - from: WORK\n    to: WORK\n    increments: retries\n",
                            "  - from: REVIEW\n    to: WORK\n"));

            assertThat(e.problems()).singleElement().satisfies(problem -> {
                assertThat(problem.message()).startsWith("cycle WORK -> REVIEW -> WORK has no bounded counter");
                assertThat(problem.location().line()).isEqualTo(23);
            });
        }

        @Test
        void rejectsADeclaredPausedState() {
            DefinitionException e = rejected(edit("  DONE:\n", "  PAUSED: {}\n  DONE:\n"));

            singleProblem(e, 11, 3, "state id PAUSED is reserved");
        }

        @Test
        void rejectsATransitionOutOfATerminalState() {
            DefinitionException e = rejected(edit("  - from: QUEUED\n", "  - from: DONE\n    to: WORK\n  - from: QUEUED\n"));

            singleProblem(e, 14, 5, "transition DONE -> WORK: DONE is terminal");
        }

        @Test
        void rejectsATerminalStateWithAStagePlugin() {
            DefinitionException e = rejected(edit("    terminal: true", "    terminal: true\n    stage: acme-done"));

            singleProblem(e, 11, 3, "state DONE is terminal and cannot have a stage plugin");
        }

        @Test
        void listsEveryProblemItFinds() {
            // Given two independent mistakes
            DefinitionException e = rejected(edit("    to: DONE", "    to: DNOE").replace("increments: retries",
                    "increments: retry"));

            // Then
            assertThat(e.problems()).hasSize(2);
            assertThat(e).hasMessageStartingWith("Invalid pipeline definition (2 problems):\n  " + file + ":16:5: ");
        }
    }

    /**
     * One load reports the problems of reading (keys, types, operators, operands) together with those of the model
     * (unknown states and counters, reachability, ways out, cycles), in the order of their position; it leaves out
     * only what another problem makes meaningless.
     */
    @Nested
    class EveryProblemAtOnce {

        /** Problems as {@code line:column: message}, the file name checked once. */
        private List<String> located(DefinitionException e) {
            assertThat(e).as("a DefinitionException").isNotNull();
            assertThat(e.problems()).extracting(p -> p.location().source()).containsOnly(file.toString());
            return e.problems().stream()
                    .map(p -> p.location().line() + ":" + p.location().column() + ": " + p.message())
                    .toList();
        }

        @Test
        void reportsOperandProblemsTogetherWithUnknownStatesAndCounters() {
            // Given
            String yaml = String.join("\n",
                    "schema_version: 1",                                                        // 1
                    "id: mini",                                                                 // 2
                    "initial: QUEUED",                                                          // 3
                    "counters:",                                                                // 4
                    "  retries: {limit: 2}",                                                    // 5
                    "states:",                                                                  // 6
                    "  QUEUED: {}",                                                             // 7
                    "  WORK: {stage: acme-work}",                                               // 8
                    "  ORPHAN: {stage: acme-orphan}",                                           // 9
                    "  DONE: {terminal: true}",                                                 // 10
                    "transitions:",                                                             // 11
                    "  - from: QUEUED",                                                         // 12
                    "    to: WORK",                                                             // 13
                    "  - from: WORK",                                                           // 14
                    "    to: DONE",                                                             // 15
                    "    guards:",                                                              // 16
                    "      - require: {outcome.WORK.verdict: {gte: five}}",                     // 17
                    "        reject: {code: not_passed, error: \"Verdict ${outcome.WORK.verdict}\"}",
                    "      - require: {counter.retires: {lt: two}}",                            // 19
                    "        reject: {code: too_many, error: Too many}",                        // 20
                    "      - require: {outcome.WORK.verdict: {greater: 5}}",                    // 21
                    "        reject: {code: low, error: Low}",                                  // 22
                    "      - require: outcome.WORK.verdict",                                    // 23
                    "        reject: {code: unclear, error: Unclear}",                          // 24
                    "  - from: WORK",                                                           // 25
                    "    to: WORK",                                                             // 26
                    "    increments: retry",                                                    // 27
                    "  - from: ORPHAN",                                                         // 28
                    "    to: DNOE",                                                             // 29
                    "");

            // When
            DefinitionException e = rejected(yaml);

            // Then every problem is in the one exception, in the order of its position
            assertThat(located(e)).containsExactly(
                    "9:3: state ORPHAN is unreachable from the initial state QUEUED; add a transition into it or"
                            + " remove it",
                    "17:42: condition on outcome.WORK.verdict: 'gte' takes a number, got 'five'",
                    "19:9: transition WORK -> DONE: evidence path 'counter.retires' names unknown counter 'retires';"
                            + " counters are retries",
                    "19:37: condition on counter.retires: 'lt' takes a number, got 'two'",
                    "21:42: condition on outcome.WORK.verdict: unknown operator 'greater'; use exists, eq, ne, in,"
                            + " not_in, gt, gte, lt or lte",
                    "23:18: 'require' must be a mapping (key: value lines), got the text 'outcome.WORK.verdict'",
                    "25:5: transition WORK -> WORK: increments unknown counter 'retry'; counters are retries",
                    "28:5: transition ORPHAN -> DNOE: unknown state 'DNOE'; states are QUEUED, WORK, ORPHAN, DONE");
            assertThat(e).hasMessageStartingWith("Invalid pipeline definition (8 problems):\n  " + file + ":9:3: ");
        }

        @Test
        void checksTheEvidencePathsOfAGuardThatCannotBeBuilt() {
            // Given a guard without a rejection code whose condition and message name an unknown state
            DefinitionException e = rejected(edit("{code: not_passed, error: \"Verdict ${outcome.WORK.verdict}\"",
                    "{error: \"Verdict ${outcome.WROK.verdict}\"").replace("{outcome.WORK.verdict: {eq: PASS}}",
                    "{summary.WROK.verdict: {eq: PASS}}"));

            // Then
            assertThat(located(e)).containsExactly(
                    "19:9: transition WORK -> DONE: evidence path 'summary.WROK.verdict' names unknown state 'WROK';"
                            + " states are QUEUED, WORK, DONE",
                    "19:9: transition WORK -> DONE: evidence path 'outcome.WROK.verdict' names unknown state 'WROK';"
                            + " states are QUEUED, WORK, DONE",
                    "20:17: 'reject' needs 'code'");
        }

        @Test
        void reportsGraphProblemsTogetherWithKeyAndTypeProblems() {
            // Given an unknown key (line 3), a state nothing leads to (line 11) and a cycle without a counter (21)
            DefinitionException e = rejected(edit("title: Mini pipeline", "titel: Mini pipeline")
                    .replace("  DONE:\n", "  ORPHAN: {stage: acme-x}\n  DONE:\n")
                    .replace("    increments: retries\n", "  - from: ORPHAN\n    to: DONE\n"));

            // Then
            assertThat(located(e)).containsExactly(
                    "3:1: unknown key 'titel' in the pipeline definition; expected counters, description, id,"
                            + " initial, schema_version, states, title, transitions",
                    "11:3: state ORPHAN is unreachable from the initial state QUEUED; add a transition into it or"
                            + " remove it",
                    "22:5: cycle WORK -> WORK has no bounded counter, so a run could loop forever; add 'increments:"
                            + " <counter>' (a counter with a limit) to one of its transitions");
        }

        @Test
        void aStateWhoseEntryIsMalformedIsStillAStateForTheTransitions() {
            // Given DONE written as text instead of a mapping
            DefinitionException e = rejected(edit("  DONE:\n    terminal: true", "  DONE: terminal"));

            // Then only that is reported: the transition into DONE names a state, and DONE may be the terminal one
            singleProblem(e, 11, 9, "state DONE must be a mapping (key: value lines), got the text 'terminal'");
        }

        @Test
        void aCounterWhoseEntryIsMalformedIsStillACounterForTheTransitions() {
            DefinitionException e = rejected(edit("  retries: {limit: 2, error: \"Retried ${value} of ${limit}\"}",
                    "  retries: 2"));

            singleProblem(e, 6, 12, "counter retries must be a mapping (key: value lines), got the number 2");
        }

        @Test
        void doesNotCallAStateUnreachableWhileAReachableTransitionNamesAnUnknownState() {
            // Given WORK -> DNOE (line 16), which may have meant any state, and ORPHAN, which nothing leads into
            DefinitionException e = rejected(edit("    to: DONE", "    to: DNOE")
                    .replace("  DONE:\n", "  ORPHAN: {stage: acme-x}\n  DONE:\n")
                    .replace("  - from: QUEUED\n", "  - from: ORPHAN\n    to: DONE\n  - from: QUEUED\n"));

            // Then the unknown state is reported, and whether DONE or ORPHAN can be reached is left open
            singleProblem(e, 19, 5, "transition WORK -> DNOE: unknown state 'DNOE'");
        }

        @Test
        void doesNotSayAStateHasNoWayOutWhileATransitionComesFromAnUnknownState() {
            // Given the transition out of WORK written as coming from WROK
            DefinitionException e = rejected(edit("  - from: WORK\n    to: DONE", "  - from: WROK\n    to: DONE")
                    .replace("  - from: WORK\n    to: WORK\n    increments: retries\n", ""));

            // Then it is the only problem: WROK may have meant WORK
            singleProblem(e, 16, 5, "transition WROK -> DONE: unknown state 'WROK'");
        }

        @Test
        void reportsMissingPluginsTogetherWithTheOtherProblems() throws IOException {
            // Given WORK's plugin is not available, and a transition names an unknown counter
            Files.writeString(file, edit("increments: retries", "increments: retry"), StandardCharsets.UTF_8);

            // When
            DefinitionException e = catchThrowableOfType(DefinitionException.class,
                    () -> PipelineDefinitions.fromYaml(file, GuardRegistry.empty(), StageRegistry.of()));

            // Then
            assertThat(located(e)).containsExactly(
                    "9:3: state WORK: no stage plugin with id 'acme-work'; available: none. Add the plugin's jar to"
                            + " the class path or change 'stage:'.",
                    "21:5: transition WORK -> WORK: increments unknown counter 'retry'; counters are retries");
        }

        @Test
        void reportsMissingCollectorsTogetherWithTheOtherProblems() {
            // Given a collector that does not exist (core's tests have only line-coverage) and an unknown operator
            DefinitionException e = rejected(edit("    stage: acme-work", "    stage: acme-work\n    collect: [jacocco]")
                    .replace("{eq: PASS}", "{equals: PASS}"));

            // Then
            assertThat(located(e)).containsExactly(
                    "11:15: state WORK: no evidence collector with id 'jacocco'; available: line-coverage. Add the"
                            + " collector's jar to the class path or change 'collect:'.",
                    "20:42: condition on outcome.WORK.verdict: unknown operator 'equals'; use exists, eq, ne, in,"
                            + " not_in, gt, gte, lt or lte");
        }

        @Test
        void stopsAtASyntaxErrorSinceNothingAfterItCanBeRead() {
            // Given an unknown key before an unclosed flow mapping
            DefinitionException e = rejected(edit("title: Mini pipeline", "titel: Mini pipeline")
                    .replace("  QUEUED: {}", "  QUEUED: {"));

            // Then only the syntax error is reported
            assertThat(e.problems()).singleElement().satisfies(problem ->
                    assertThat(problem.message()).startsWith("not valid YAML: "));
        }
    }

    @Nested
    class CustomGuards {

        @Test
        void usesTheRegisteredJavaGuardByName() throws IOException {
            // Given
            GuardRegistry guards = GuardRegistry.empty().with("business-hours",
                    context -> GuardResult.reject("closed", "Closed", "Come back tomorrow"));
            String yaml = edit("      - require: {outcome.WORK.verdict: {eq: PASS}}\n"
                    + "        reject: {code: not_passed, error: \"Verdict ${outcome.WORK.verdict}\", recovery: Fix it}",
                    "      - custom: business-hours");

            // When
            PipelineDefinition definition = load(yaml, guards);

            // Then
            GuardDefinition guard = definition.transition("WORK", "DONE").orElseThrow().guards().get(0);
            assertThat(guard.guard()).isSameAs(guards.find("business-hours").orElseThrow());
            assertThat(guard.location()).isEqualTo(new SourceLocation(file.toString(), 19, 9));
        }

        @Test
        void rejectsMalformedAndDuplicateGuardNames() {
            GuardRegistry guards = GuardRegistry.empty().with("office-hours", context -> GuardResult.allow());

            assertThatThrownBy(() -> guards.with("office-hours", context -> GuardResult.allow()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered");
            assertThatThrownBy(() -> guards.with("Office Hours", context -> GuardResult.allow()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be 1 to 64 characters");
            assertThat(GuardRegistry.empty().names()).isEmpty();
            assertThat(guards.names()).containsExactly("office-hours");
        }
    }

    @Nested
    class Plugins {

        private Stage stage(String id) {
            return new Stage() {
                @Override
                public String id() {
                    return id;
                }

                @Override
                public StageOutcome run(StageContext context) {
                    return StageOutcome.completed().build();
                }
            };
        }

        @Test
        void checkPluginsNamesTheMissingPluginTheStateAndWhereItIsDefined() throws IOException {
            // Given
            PipelineDefinition definition = load(VALID);

            // When
            DefinitionException e = catchThrowableOfType(DefinitionException.class,
                    () -> definition.checkPlugins(StageRegistry.of(stage("acme-lint"))));

            // Then
            singleProblem(e, 9, 3, "state WORK: no stage plugin with id 'acme-work'; available: acme-lint.");
        }

        @Test
        void checkPluginsSaysWhenNoPluginIsAvailable() throws IOException {
            PipelineDefinition definition = load(VALID);

            DefinitionException e = catchThrowableOfType(DefinitionException.class,
                    () -> definition.checkPlugins(StageRegistry.of()));

            singleProblem(e, 9, 3, "available: none");
        }

        @Test
        void loadingWithARegistryChecksThePlugins() throws IOException {
            Files.writeString(file, VALID, StandardCharsets.UTF_8);

            assertThatThrownBy(() -> PipelineDefinitions.fromYaml(file, GuardRegistry.empty(), StageRegistry.of()))
                    .isInstanceOf(DefinitionException.class)
                    .hasMessageContaining("no stage plugin with id 'acme-work'");
            assertThat(PipelineDefinitions.fromYaml(file, GuardRegistry.empty(), StageRegistry.of(stage("acme-work")))
                    .id()).isEqualTo("mini");
        }
    }

    @Test
    void loadsFromAClassPathResourceAndReportsAMissingOne() {
        PipelineDefinition story = PipelineDefinitions.fromResource(dev.agentpipeline.core.story.StoryPipeline.class,
                "story-pipeline.yaml", GuardRegistry.empty());

        assertThat(story.id()).isEqualTo("story");
        assertThat(story.location().source()).isEqualTo("story-pipeline.yaml");
        assertThatThrownBy(() -> PipelineDefinitions.fromResource(getClass(), "missing.yaml", GuardRegistry.empty()))
                .isInstanceOf(DefinitionException.class)
                .hasMessageContaining("missing.yaml: resource not found next to " + getClass().getName());
    }

    @Test
    void aGuardFromYamlDescribesItsConditionsAndKnowsItsPlaceholders() throws IOException {
        // Given
        PipelineDefinition definition = load(VALID);

        // When
        ConditionGuard guard = (ConditionGuard) definition.transition("WORK", "DONE").orElseThrow().guards().get(0)
                .guard();

        // Then
        assertThat(guard.describe()).isEqualTo("outcome.WORK.verdict eq 'PASS'");
        assertThat(guard.error().placeholders()).containsExactly("outcome.WORK.verdict");
    }
}
