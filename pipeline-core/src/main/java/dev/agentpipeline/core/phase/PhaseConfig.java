package dev.agentpipeline.core.phase;

import dev.agentpipeline.core.definition.Durations;
import dev.agentpipeline.core.engine.PipelineException;

import org.apiguardian.api.API;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A project's settings of the phase pipeline: the file {@code .pipeline/phase.conf} of {@code key = value} lines,
 * read by the command line into {@link PhaseSettings}. Every key is optional; blank lines and lines starting with
 * {@code #} are ignored; an unknown key, a key given twice or a value that cannot be read is an error that names the
 * file and line.
 *
 * <pre>
 * # Short waits for a demonstration; the phase pipeline orchestrator waits 1, 2 and 4 minutes.
 * transient_backoff = 2s, 4s, 8s
 * transient_retries = 3
 * fix_cycles = 2
 * line_coverage = 80
 * branch_coverage = 70
 * integration_coverage = 100
 * readiness = 90
 * approval_timeout = 4h
 * signal_file.6 = phase6-specs-created.json
 * signals_dir = .taskmaster/.signals
 * worktrees = true
 * </pre>
 *
 * @param settings the phase pipeline's settings
 * @param signalsDirectory where the phases' agents write their signals, relative to the project
 *     ({@code .taskmaster/.signals} unless set)
 * @param worktrees whether each phase works in a git worktree of its own ({@code worktrees = true}, the default;
 *     only in a git repository), merged back before the next phase
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record PhaseConfig(PhaseSettings settings, String signalsDirectory, boolean worktrees) {

    /** The file's place in a project. */
    public static final String FILE = ".pipeline/phase.conf";
    /** Where the agents write their signals unless {@code signals_dir} says otherwise. */
    public static final String DEFAULT_SIGNALS_DIRECTORY = ".taskmaster/.signals";

    private static final Set<String> KEYS = Set.of("transient_backoff", "transient_retries", "dependency_retries",
            "fix_cycles", "decisions", "human_retries", "line_coverage", "branch_coverage", "integration_coverage",
            "readiness", "approval_timeout", "signals_dir", "worktrees");

    /**
     * @param project the project directory
     * @return its settings, the defaults where the file (or the file itself) is missing
     * @throws PipelineException {@code invalid_config} naming the file, the line and the fix
     */
    public static PhaseConfig read(Path project) {
        Path file = project.resolve(FILE);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            return new PhaseConfig(PhaseSettings.defaults(), DEFAULT_SIGNALS_DIRECTORY, true);
        } catch (CharacterCodingException e) {
            throw invalid(file + " is not UTF-8 text", "Save it as UTF-8 text of key = value lines.");
        } catch (IOException e) {
            throw invalid("Cannot read " + file + ": " + e.getMessage(), "Check the file's permissions.");
        }
        PhaseSettings.Builder builder = PhaseSettings.builder();
        PhaseSettings defaults = PhaseSettings.defaults();
        double line = defaults.lineCoverage();
        double branch = defaults.branchCoverage();
        String signals = DEFAULT_SIGNALS_DIRECTORY;
        boolean worktrees = true;
        Set<String> seen = new HashSet<>();
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            String raw = lines[i].strip();
            if (i == 0 && raw.startsWith("\uFEFF")) {
                raw = raw.substring(1).strip();
            }
            if (raw.isEmpty() || raw.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            int equals = raw.indexOf('=');
            if (equals < 0) {
                throw invalid(where + ": '" + raw + "' is not a key = value line", "Write settings as key = value,"
                        + " such as transient_backoff = 2s, 4s, 8s; start comments with #.");
            }
            String key = raw.substring(0, equals).strip().toLowerCase(Locale.ROOT);
            String value = raw.substring(equals + 1).strip();
            if (!seen.add(key)) {
                throw invalid(where + ": '" + key + "' is set twice", "Keep one " + key + " line.");
            }
            try {
                if (key.startsWith("signal_file.")) {
                    int phase = Integer.parseInt(key.substring("signal_file.".length()));
                    if (Phase.ALL.stream().noneMatch(p -> p.number() == phase)) {
                        throw new IllegalArgumentException("there is no phase " + phase + " (phases: 5, 6, 7, 9, 10,"
                                + " 11)");
                    }
                    if (!value.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,199}") || value.contains("..")) {
                        throw new IllegalArgumentException("'" + value + "' is not a plain file name");
                    }
                    builder.signalFile(phase, value);
                    continue;
                }
                switch (key) {
                    case "transient_backoff" -> {
                        List<Duration> waits = new ArrayList<>();
                        for (String part : value.split(",")) {
                            waits.add(Durations.parse(part));
                        }
                        builder.transientBackoff(waits);
                    }
                    case "transient_retries" -> builder.transientRetries(count(value));
                    case "dependency_retries" -> builder.dependencyRetries(count(value));
                    case "fix_cycles" -> builder.fixCycles(count(value));
                    case "decisions" -> builder.decisions(count(value));
                    case "human_retries" -> builder.humanRetries(count(value));
                    case "line_coverage" -> line = percent(value);
                    case "branch_coverage" -> branch = percent(value);
                    case "integration_coverage" -> builder.integrationCoverage(percent(value));
                    case "readiness" -> builder.readiness(percent(value));
                    case "approval_timeout" -> builder.approvalTimeout(Durations.parse(value));
                    case "worktrees" -> {
                        if (!value.equals("true") && !value.equals("false")) {
                            throw new IllegalArgumentException("'" + value + "' is not true or false");
                        }
                        worktrees = value.equals("true");
                    }
                    case "signals_dir" -> {
                        if (value.isEmpty() || Path.of(value).isAbsolute() || value.contains("..")) {
                            throw new IllegalArgumentException("'" + value + "' must be a path inside the project,"
                                    + " such as .taskmaster/.signals");
                        }
                        signals = value;
                    }
                    default -> throw new IllegalArgumentException("unknown setting (known: "
                            + String.join(", ", KEYS.stream().sorted().toList()) + ", signal_file.N)");
                }
            } catch (IllegalArgumentException e) {
                throw invalid(where + ": " + key + ": " + e.getMessage(), "Fix the value or delete the line; "
                        + "docs/formats.md#phase-settings lists the keys.");
            }
        }
        builder.coverage(line, branch);
        return new PhaseConfig(builder.build(), signals, worktrees);
    }

    private static int count(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number 0 or more");
        }
    }

    private static double percent(String value) {
        try {
            double n = Double.parseDouble(value.endsWith("%") ? value.substring(0, value.length() - 1) : value);
            if (n < 0 || n > 100) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a number from 0 to 100");
        }
    }

    private static PipelineException invalid(String problem, String fix) {
        return new PipelineException("invalid_config", problem, fix);
    }
}
