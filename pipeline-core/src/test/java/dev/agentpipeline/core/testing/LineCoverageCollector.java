package dev.agentpipeline.core.testing;

import dev.agentpipeline.spi.evidence.EvidenceCollector;
import dev.agentpipeline.spi.evidence.EvidenceRequest;
import dev.agentpipeline.spi.evidence.EvidenceResult;
import dev.agentpipeline.spi.evidence.EvidenceType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A collector for core's tests (registered in META-INF/services): reads a line coverage percentage from the text
 * file {@code coverage.txt} (or the first configured report) of the workspace; {@code throw} in the file makes it
 * throw.
 */
public final class LineCoverageCollector implements EvidenceCollector {

    @Override
    public String id() {
        return "line-coverage";
    }

    @Override
    public String key() {
        return "coverage";
    }

    @Override
    public Map<String, EvidenceType> fields() {
        return Map.of("line", EvidenceType.NUMBER, "tool", EvidenceType.TEXT, "files", EvidenceType.LIST);
    }

    @Override
    public EvidenceResult collect(EvidenceRequest request) {
        String name = request.reportsOr(List.of("coverage.txt")).get(0);
        Path file = request.workspace().resolve(name);
        try {
            String text = Files.readString(file).trim();
            if (text.equals("throw")) {
                throw new IllegalStateException("collector broke");
            }
            return EvidenceResult.of(Map.of("line", Double.parseDouble(text), "tool", "test"), List.of(name));
        } catch (IOException | NumberFormatException e) {
            return EvidenceResult.none(name + ": " + e);
        }
    }
}
