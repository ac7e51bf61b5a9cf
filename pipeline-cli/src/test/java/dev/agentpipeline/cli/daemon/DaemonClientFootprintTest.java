package dev.agentpipeline.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentpipeline.cli.wiring.CliSettings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The client is the part of every call that cannot be warm: its fast path must stay small. Its classes use no
 * invokedynamic (no lambdas, no indy string concatenation: each bootstraps method handles at start-up), a call
 * through the daemon loads none of the command line's libraries, and it forwards every variable the command line
 * reads.
 */
class DaemonClientFootprintTest {

    /** The classes of the client jar (pipeline-examples/pom.xml, execution client-jar). */
    private static final List<Class<?>> CLIENT_CLASSES = List.of(PipelineClient.class, Protocol.class,
            DaemonFiles.class);

    @TempDir
    Path temp;

    @Test
    void theClientsClassesUseNoInvokedynamic() throws IOException {
        for (Class<?> type : CLIENT_CLASSES) {
            assertThat(constantTags(type)).as("constant pool tags of %s (18 InvokeDynamic, 17 Dynamic)", type)
                    .doesNotContain(17, 18);
        }
    }

    /** The tag of each entry of a class file's constant pool (JVMS 4.4). */
    private static List<Integer> constantTags(Class<?> type) throws IOException {
        List<Integer> tags = new ArrayList<>();
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class");
             DataInputStream data = new DataInputStream(in)) {
            data.readInt(); // magic
            data.readUnsignedShort();
            data.readUnsignedShort();
            int count = data.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = data.readUnsignedByte();
                tags.add(tag);
                switch (tag) {
                    case 1 -> data.skipBytes(data.readUnsignedShort());             // Utf8
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> data.skipBytes(4);
                    case 5, 6 -> {                                                  // Long, Double: two slots
                        data.skipBytes(8);
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> data.skipBytes(2);
                    case 15 -> data.skipBytes(3);
                    default -> throw new IOException("unknown constant pool tag " + tag + " in " + type);
                }
            }
        }
        return tags;
    }

    @Test
    void aCallThroughTheDaemonLoadsNoneOfTheCommandLinesLibraries() throws Exception {
        Path dir = temp.resolve("daemon");
        Path project = Files.createDirectory(temp.resolve("project"));
        Path classes = temp.resolve("classes.txt");
        try (Processes processes = new Processes(Files.createDirectory(temp.resolve("scratch")))) {
            processes.startDaemon(dir);
            Processes.awaitListening(dir);

            Processes.Result answer = processes.client(project, Processes.daemonEnv(dir),
                    List.of("-Xlog:class+load=info:file=" + classes), "status").expectOk();

            assertThat(answer.stdout()).isEqualTo("{\n  \"ok\": true,\n  \"active\": false\n}\n");
            List<String> loaded = new ArrayList<>();
            for (String line : Files.readAllLines(classes, StandardCharsets.UTF_8)) {
                String[] words = line.split(" ");
                if (words.length > 1) {
                    loaded.add(words[1]);
                }
            }
            assertThat(loaded).as("classes the client loaded").contains(PipelineClient.class.getName())
                    .noneMatch(name -> name.startsWith("picocli.") || name.startsWith("com.google.")
                            || name.startsWith("com.fasterxml.") || name.startsWith("org.slf4j.")
                            || name.startsWith("ch.qos.") || name.startsWith("org.yaml.")
                            || name.startsWith("dev.agentpipeline.core.")
                            || name.startsWith("dev.agentpipeline.cli.") && !name.startsWith(
                                    "dev.agentpipeline.cli.daemon."));
            assertThat(loaded.stream().filter(name -> name.startsWith("dev.agentpipeline.")))
                    .containsExactlyInAnyOrder(PipelineClient.class.getName(), Protocol.class.getName(),
                            DaemonFiles.class.getName());
            assertThat(loaded).as("lambdas of the client").noneMatch(name -> name.startsWith(
                    "dev.agentpipeline.cli.daemon.") && name.contains("$$Lambda"));
        }
    }

    @Test
    void theClientForwardsEveryVariableTheCommandLineReads() throws IllegalAccessException {
        List<String> read = new ArrayList<>();
        for (Field field : CliSettings.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getName().endsWith("_ENV")) {
                read.add((String) field.get(null));
            }
        }

        assertThat(read).isNotEmpty();
        assertThat(PipelineClient.FORWARDED_ENV).containsExactlyInAnyOrderElementsOf(read);
    }
}
