package dev.agentpipeline.core.engine;

import dev.agentpipeline.core.testing.MutableClock;
import dev.agentpipeline.core.testing.StoryRuns;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The runtime sets {@code run_id} in the MDC while it works, without taking away a value its caller set. */
class PipelineRuntimeMdcTest {

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void listenersSeeTheRunIdAndTheCallersValueIsRestored() {
        // Given
        StoryRuns story = new StoryRuns(StoryRuns.runtime(new MutableClock()), "US001");
        List<String> seen = new ArrayList<>();
        story.runtime().addListener((event, state) -> seen.add(MDC.get("run_id")));
        MDC.put("run_id", "outer");

        // When
        story.advance("STAGE_0");

        // Then
        assertThat(seen).containsExactly(story.runId());
        assertThat(MDC.get("run_id")).isEqualTo("outer");
    }

    @Test
    void leavesNoRunIdBehindWhenTheCallerHadNone() {
        StoryRuns story = new StoryRuns(StoryRuns.runtime(new MutableClock()), "US001");

        story.advance("STAGE_0");

        assertThat(MDC.get("run_id")).isNull();
    }
}
