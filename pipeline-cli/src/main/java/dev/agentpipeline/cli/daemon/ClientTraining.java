package dev.agentpipeline.cli.daemon;

import dev.agentpipeline.cli.CdsTraining;
import dev.agentpipeline.cli.PipelineMain;

import org.apiguardian.api.API;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * Runs what a {@link PipelineClient} JVM runs, so that a class-data-sharing archive dumped when this JVM exits
 * ({@code -XX:ArchiveClassesAtExit}) holds the client's classes: quick commands handed to a daemon (one runs in
 * this JVM for the purpose) and, for the calls no daemon serves, the whole command line
 * ({@link CdsTraining#runCommonCommands()}). {@code bin/pipeline} runs it on the class path of the client:
 *
 * <pre>
 * java -XX:ArchiveClassesAtExit=bin/.cds/pipeline-client.jsa -cp pipeline-client.jar:pipeline-cli.jar \
 *      dev.agentpipeline.cli.daemon.ClientTraining
 * </pre>
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class ClientTraining {

    private ClientTraining() {
    }

    /**
     * Runs the training calls in a temporary directory, then deletes it.
     *
     * @param args ignored
     * @throws IOException if the daemon cannot listen or a temporary file cannot be made or deleted
     */
    public static void main(String[] args) throws IOException {
        PipelineMain.prepareProcess(Map.of());
        Map<String, String> env = System.getenv(); // as the client reads it
        Path temp = Files.createTempDirectory("pipeline-client-cds-");
        try (PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8)) {
            Path project = Files.createDirectory(temp.resolve("project"));
            Path dir = temp.resolve("daemon");
            String classPath = System.getProperty("java.class.path");
            PipelineDaemon daemon = PipelineDaemon.open(dir, classPath, 60,
                    (a, out, err, cwd, e) -> new PipelineMain().run(a, out, err, cwd, e), sink);
            if (daemon == null) {
                throw new IOException("the training daemon directory " + dir + " is taken");
            }
            try {
                daemon.serve();
                PipelineClient client = new PipelineClient(Map.of(PipelineClient.DIR_ENV, dir.toString(),
                        PipelineClient.DAEMON_ENV, "on", "PIPELINE_LOCK_TIMEOUT_MS",
                        env.getOrDefault("PIPELINE_LOCK_TIMEOUT_MS", "30000")), project.toString(),
                        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                        classPath, null, null);
                String[][] calls = {
                    {"status"},
                    {"start", "--story", "CDS-1"},
                    {"status", "--story", "CDS-1"},
                    {"--version"},
                    {"no-such-command"},
                };
                for (String[] call : calls) {
                    if (client.bypassReason(call) == null) {
                        client.forward(call, sink, sink);
                    }
                }
            } finally {
                daemon.shutdown("training done");
                daemon.awaitStopped(Duration.ofSeconds(PipelineDaemon.DRAIN_SECONDS));
            }
            CdsTraining.runCommonCommands();
        } finally {
            CdsTraining.deleteTree(temp);
        }
    }
}
