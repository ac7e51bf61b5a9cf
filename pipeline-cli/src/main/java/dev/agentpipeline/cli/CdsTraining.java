package dev.agentpipeline.cli;

import org.apiguardian.api.API;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Runs the common commands once in a throw-away project, so that a class-data-sharing archive dumped when this
 * JVM exits ({@code -XX:ArchiveClassesAtExit}) holds the classes those commands load. {@code bin/pipeline} runs it
 * when its archive is missing or older than the jar; people have no reason to.
 *
 * <pre>
 * java -XX:ArchiveClassesAtExit=bin/.cds/pipeline-cli.jsa -cp pipeline-cli.jar \
 *      dev.agentpipeline.cli.CdsTraining
 * </pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class CdsTraining {

    private static final String STORY = "CDS-1";

    private CdsTraining() {
    }

    /**
     * Runs the training calls in a temporary directory, then deletes it.
     *
     * @param args ignored
     * @throws IOException if the temporary directory cannot be created or deleted
     */
    public static void main(String[] args) throws IOException {
        PipelineMain.prepareProcess(Map.of());
        runCommonCommands();
    }

    /**
     * Runs the common commands once, answers discarded, in a temporary project that is deleted afterwards: loads
     * (and warms) the classes and code paths the quick commands use.
     * {@link dev.agentpipeline.cli.daemon.PipelineDaemon} runs it to warm up before it serves.
     *
     * @throws IOException if the temporary directory cannot be created or deleted
     */
    public static void runCommonCommands() throws IOException {
        Map<String, String> env = Map.of();
        Path project = Files.createTempDirectory("pipeline-cds-");
        try (PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8)) {
            PipelineMain main = new PipelineMain();
            String summary = "{\"schema_version\":\"1.0\",\"summary_kind\":\"pipeline-stage\",\"run_id\":\"r\","
                    + "\"identifier\":\"" + STORY + "\",\"producer_skill\":\"ln-300\",\"produced_at\":"
                    + "\"2026-01-01T00:00:00Z\",\"payload\":{\"stage\":0,\"story_id\":\"" + STORY + "\",\"status\":"
                    + "\"completed\",\"final_result\":\"OK\",\"story_status\":\"Backlog\",\"warnings\":[],"
                    + "\"metadata\":{}}}";
            String[][] calls = {
                {"status"},
                {"start", "--story", STORY, "--title", "Class data sharing", "--project-brief", "{\"name\":\"cds\"}"},
                {"start", "--story", STORY},
                {"status", "--story", STORY},
                {"advance", "--story", STORY, "--to", "STAGE_0"},
                {"checkpoint", "--story", STORY, "--stage", "0", "--plan-score", "4", "--tasks-remaining", "[\"T1\"]"},
                {"record-stage-summary", "--story", STORY, "--payload", summary},
                {"advance", "--story", STORY, "--to", "STAGE_3"},
                {"record-loop-health", "--story", STORY, "--stage", "1", "--payload", "{\"error\":\"x\"}"},
                {"pause", "--story", STORY, "--reason", "training"},
                {"resume", "--story", STORY},
                {"status"},
                {"cancel", "--story", STORY},
                {"complete", "--story", STORY},
                {"repair", "--story", STORY},
                {"help"},
                {"--version"},
                {"no-such-command"},
                {"status", "--no-such-option"},
            };
            for (String[] call : calls) {
                main.run(call, sink, sink, project, env);
            }
        } finally {
            deleteTree(project);
        }
    }

    /**
     * Deletes a directory tree (the training's temporary project).
     *
     * @param root the directory
     * @throws IOException if a file cannot be deleted
     */
    public static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
