package dev.agentpipeline.examples.demo;

import dev.agentpipeline.core.definition.CollectorDefinition;
import dev.agentpipeline.core.definition.GuardDefinition;
import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.definition.SourceLocation;
import dev.agentpipeline.core.definition.StateDefinition;
import dev.agentpipeline.core.definition.TransitionDefinition;
import dev.agentpipeline.core.guard.Condition;
import dev.agentpipeline.core.guard.Guards;
import dev.agentpipeline.core.guard.Operator;
import dev.agentpipeline.core.story.StoryPipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The story pipeline as the demo runs it: the story pipeline's definition, whose quality gate also demands real evidence.
 * STAGE_3 collects the sample project's test and coverage reports ({@code junit} from
 * {@value #TEST_REPORTS}, {@code jacoco} from {@value #COVERAGE_REPORT}), and {@code STAGE_3 -> DONE} requires, besides
 * the story pipeline's PASS, {@code evidence.STAGE_3.tests.run > 0}, {@code evidence.STAGE_3.tests.failed == 0} and
 * {@code evidence.STAGE_3.coverage.line >= 80}: a quality gate that said PASS without them pauses the run with the
 * guard's error instead of ending it.
 *
 * @since 0.1
 */
public final class DemoPipeline {

    /** Where the sample project's test runner writes its JUnit XML reports, relative to the workspace. */
    public static final String TEST_REPORTS = "build/test-reports/TEST-*.xml";
    /** Where the sample project's test script writes the JaCoCo XML report. */
    public static final String COVERAGE_REPORT = "build/jacoco.xml";
    /** The line coverage the quality gate requires, in percent. */
    public static final int REQUIRED_LINE_COVERAGE = 80;

    private DemoPipeline() {
    }

    /**
     * @return the story pipeline with the demo's evidence at the quality gate; its stages have no plugins yet
     */
    public static PipelineDefinition definition() {
        PipelineDefinition story = StoryPipeline.definition();
        PipelineDefinition.Builder demo = PipelineDefinition.builder(story.id()).title(story.title())
                .description(story.description() + " The demo's quality gate also requires its tests to pass and "
                        + REQUIRED_LINE_COVERAGE + "% line coverage, from the reports.")
                .initial(story.initialState());
        for (StateDefinition state : story.states().values()) {
            demo.state(!state.id().equals("STAGE_3") ? state : state.withCollect(List.of(
                    CollectorDefinition.of("junit", TEST_REPORTS), CollectorDefinition.of("jacoco", COVERAGE_REPORT))));
        }
        story.counters().values().forEach(demo::counter);
        for (TransitionDefinition transition : story.transitions()) {
            if (!transition.from().equals("STAGE_3") || !transition.to().equals("DONE")) {
                demo.transition(transition);
                continue;
            }
            List<GuardDefinition> guards = new ArrayList<>(transition.guards());
            guards.add(new GuardDefinition(Guards.require(
                    Condition.of("evidence.STAGE_3.tests.run", Operator.GT, 0),
                    Condition.of("evidence.STAGE_3.tests.failed", Operator.EQ, 0))
                    .orReject("tests_failed", "${evidence.STAGE_3.tests.failed} of ${evidence.STAGE_3.tests.run}"
                            + " tests failed", "Fix the failing tests: ${evidence.STAGE_3.tests.failing}"),
                    SourceLocation.BUILDER));
            guards.add(new GuardDefinition(Guards.require(
                    Condition.of("evidence.STAGE_3.coverage.line", Operator.GTE, REQUIRED_LINE_COVERAGE))
                    .orReject("coverage_too_low", "Line coverage ${evidence.STAGE_3.coverage.line}% < "
                            + REQUIRED_LINE_COVERAGE + "%", "Test more of the ${evidence.STAGE_3.coverage.line_missed}"
                            + " lines no test runs, then resume"), SourceLocation.BUILDER));
            demo.transition(new TransitionDefinition(transition.from(), transition.to(), guards,
                    transition.increments(), transition.description() + " Tests pass and cover "
                    + REQUIRED_LINE_COVERAGE + "% of the lines.", transition.location()));
        }
        return demo.build();
    }
}
