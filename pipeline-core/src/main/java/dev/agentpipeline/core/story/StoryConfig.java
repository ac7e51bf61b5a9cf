package dev.agentpipeline.core.story;

import dev.agentpipeline.core.engine.PipelineException;
import dev.agentpipeline.core.run.SummaryPolicy;

import org.apiguardian.api.API;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The project's settings for story runs: the file {@value #FILE_NAME} in the project's directory, read by
 * {@code start} and applied to the runs it starts. It lives beside the state directory, not in it, so that it can be
 * committed with the project (the state directory is kept out of git). Immutable.
 *
 * <p>The file holds {@code key = value} lines; blank lines and lines starting with {@code #} are ignored. The one
 * setting is {@code summaries}:
 * <pre>
 * # Callers of this project were written for the older ln-1000 runtime: they never record stage summaries.
 * summaries = optional
 * </pre>
 * {@code summaries = optional} starts every run with optional stage summaries ({@link SummaryPolicy#OPTIONAL})
 * unless {@code start --summaries required} says otherwise; {@code required} (the default) is the strict policy.
 * A run keeps the policy it started with, so editing the file changes only runs started afterwards. An unknown key,
 * a key given twice, a line without {@code =}, a value that is not {@code required} or {@code optional}, or a file
 * that cannot be read as UTF-8 is an error naming the file and line and how to fix it, and {@code start} starts
 * nothing; a missing file means the defaults.
 *
 * <pre>{@code
 * StoryConfig config = StoryConfig.load(projectDir.resolve(StoryConfig.FILE_NAME));
 * SummaryPolicy policy = config.summaries().orElse(SummaryPolicy.REQUIRED);
 * }</pre>
 *
 * @param file the file the settings come from (which may not exist)
 * @param summaries the {@code summaries} setting, empty when the file does not set it
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record StoryConfig(Path file, Optional<SummaryPolicy> summaries) {

    /** The name of the settings file in the project's directory. */
    public static final String FILE_NAME = ".pipeline.conf";
    /** The settings the file may hold. */
    public static final List<String> KEYS = List.of(SummaryPolicy.MANIFEST_KEY);

    private static final int MAX_BYTES = 64 * 1024;

    /** Validates. */
    public StoryConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(summaries, "summaries");
    }

    /**
     * Reads the settings file; a missing file gives the defaults.
     *
     * @param file the file, typically {@code <project>/.pipeline.conf}
     * @return the settings
     * @throws PipelineException with code {@code invalid_config} naming the file, the line and the fix
     */
    public static StoryConfig load(Path file) {
        Objects.requireNonNull(file, "file");
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw invalid(file + " is a directory, not a settings file",
                        "Remove it, or make it a file of key = value lines, such as summaries = optional.");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw invalid("The settings file " + file + " is larger than " + MAX_BYTES + " bytes",
                        "It holds a few key = value lines, such as summaries = optional; rewrite it.");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new StoryConfig(file, Optional.empty());
        } catch (IOException e) {
            throw invalid("Cannot read the settings file " + file + ": " + e.getMessage(),
                    "Check the file's permissions, or delete it for the defaults.");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw invalid("The settings file " + file + " is not UTF-8 text", "Save it as UTF-8 text of key = value"
                    + " lines, such as summaries = optional.");
        }
        SummaryPolicy summaries = null;
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw invalid(where + ": '" + shown(line) + "' is not a key = value line",
                        "Write settings as key = value, such as summaries = optional; start comments with #.");
            }
            String key = line.substring(0, equals).strip();
            String value = line.substring(equals + 1).strip();
            if (!KEYS.contains(key)) {
                throw invalid(where + ": unknown setting '" + shown(key) + "' (known: " + String.join(", ", KEYS)
                        + ")", "Fix the name, such as summaries = optional, or delete the line.");
            }
            if (summaries != null) {
                throw invalid(where + ": '" + key + "' is set twice", "Keep one " + key + " line.");
            }
            summaries = SummaryPolicy.parse(value).orElseThrow(() -> invalid(where + ": " + SummaryPolicy.MANIFEST_KEY
                    + " must be required or optional (got '" + shown(value) + "')", "Write summaries = optional to"
                    + " start this project's runs with optional stage summaries (for callers of the older ln-1000"
                    + " runtime), summaries = required for the default, or delete the line."));
        }
        return new StoryConfig(file, Optional.ofNullable(summaries));
    }

    private static PipelineException invalid(String problem, String fix) {
        return new PipelineException("invalid_config", problem, fix);
    }

    private static String shown(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(60).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return text.codePointCount(0, text.length()) > 60 ? out + "..." : out.toString();
    }
}
