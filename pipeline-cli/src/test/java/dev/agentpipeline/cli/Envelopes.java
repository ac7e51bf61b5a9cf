package dev.agentpipeline.cli;

import dev.agentpipeline.core.internal.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stage summary envelopes as the ln-1000 skill's stages write them, as JSON text for --payload. */
final class Envelopes {

    private Envelopes() {
    }

    static Builder summary(String story, int stage) {
        return new Builder(story, stage);
    }

    static final class Builder {
        private final String story;
        private final int stage;
        private String status = "completed";
        private String storyStatus;
        private String verdict;
        private Number readiness;
        private Number quality;
        private Map<String, Object> metadata = Map.of();

        private Builder(String story, int stage) {
            this.story = story;
            this.stage = stage;
            this.storyStatus = switch (stage) {
                case 0 -> "Backlog";
                case 1 -> "Todo";
                case 2 -> "To Review";
                default -> "Done";
            };
        }

        Builder status(String value) {
            status = value;
            return this;
        }

        Builder storyStatus(String value) {
            storyStatus = value;
            return this;
        }

        Builder verdict(String value) {
            verdict = value;
            return this;
        }

        Builder readiness(Number value) {
            readiness = value;
            return this;
        }

        Builder quality(Number value) {
            quality = value;
            return this;
        }

        Builder metadata(Map<String, Object> value) {
            metadata = value;
            return this;
        }

        String json() {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("stage", stage);
            payload.put("story_id", story);
            payload.put("status", status);
            payload.put("final_result", verdict == null ? status.toUpperCase(java.util.Locale.ROOT) : verdict);
            payload.put("story_status", storyStatus);
            payload.put("verdict", verdict);
            payload.put("readiness_score", readiness);
            payload.put("quality_score", quality);
            payload.put("warnings", List.of());
            payload.put("artifact_path", ".hex-skills/runtime-artifacts/stage-" + stage + ".json");
            payload.put("metadata", metadata);
            Map<String, Object> envelope = new LinkedHashMap<>();
            envelope.put("schema_version", "1.0.0");
            envelope.put("summary_kind", "pipeline-stage");
            envelope.put("run_id", "coordinator-run-" + stage);
            envelope.put("identifier", story);
            envelope.put("producer_skill", "ln-" + List.of("300", "310", "400", "500").get(stage));
            envelope.put("produced_at", "2026-11-21T10:00:00Z");
            envelope.put("payload", payload);
            return Json.compact(envelope);
        }
    }
}
