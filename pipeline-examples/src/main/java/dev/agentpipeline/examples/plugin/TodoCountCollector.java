package dev.agentpipeline.examples.plugin;

import dev.agentpipeline.spi.evidence.EvidenceCollector;
import dev.agentpipeline.spi.evidence.EvidenceRequest;
import dev.agentpipeline.spi.evidence.EvidenceResult;
import dev.agentpipeline.spi.evidence.EvidenceType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An example evidence collector: counts the TODO and FIXME markers in a workspace's source files, so that a guard
 * can demand there are none ({@code evidence.STAGE_3.todos.count: {eq: 0}}) whatever the stage itself reports. The
 * plugin guide's "Writing an evidence collector" is built from it.
 *
 * @since 0.1
 */
public final class TodoCountCollector implements EvidenceCollector {

    private static final Pattern MARKER = Pattern.compile("\\b(TODO|FIXME)\\b");

    /** For {@link java.util.ServiceLoader}. */
    public TodoCountCollector() {
    }

    // snippet:declare
    @Override
    public String id() {
        return "todo-count";          // named in a definition: collect: [todo-count]
    }

    @Override
    public String key() {
        return "todos";               // read by guards as evidence.STATE.todos.FIELD
    }

    @Override
    public Map<String, EvidenceType> fields() {
        return Map.of("count", EvidenceType.NUMBER, "files", EvidenceType.NUMBER);
    }
    // end:declare

    @Override
    public String description() {
        return "TODO and FIXME markers in the workspace's source files";
    }

    // snippet:collect
    @Override
    public EvidenceResult collect(EvidenceRequest request) {
        List<String> files;
        try {
            files = TodoGateStage.sourceFiles(request.workspace());
        } catch (IOException e) {
            return EvidenceResult.none("cannot list the sources of " + request.workspace() + ": " + e.getMessage());
        }
        long count = 0;
        for (String file : files) {
            try {
                String text = new String(Files.readAllBytes(request.workspace().resolve(file)), StandardCharsets.UTF_8);
                count += text.lines().filter(line -> MARKER.matcher(line).find()).count();
            } catch (IOException e) {
                return EvidenceResult.none(file + ": " + e.getMessage()); // a warning; a guard on it then rejects
            }
        }
        return EvidenceResult.of(Map.of("count", count, "files", (long) files.size()), List.of());
    }
    // end:collect
}
