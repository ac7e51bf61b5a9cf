package dev.agentpipeline.core.story.report;

import dev.agentpipeline.core.run.Ids;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.RunLock;
import dev.agentpipeline.core.store.SharedFiles;

import org.apiguardian.api.API;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * Writes story reports and the quality trend of a project: {@code <project>/docs/tasks/reports/pipeline-{date}.md}
 * and a row in {@code <project>/docs/tasks/reports/quality-trend.md}. Thread-safe, and safe across processes.
 *
 * <p><b>One report per run, never another run's.</b> A report names its run in a comment
 * ({@link StoryReport#RUN_MARKER}). Writing a run's report again replaces the file that names the run, whatever its
 * date. A new report takes the first free name of {@code pipeline-{date}.md}, {@code pipeline-{date}-{story}.md},
 * {@code pipeline-{date}-{story}-2.md}, {@code -3}...: a file that does not name the run (another run's report, or
 * one written by hand) is never overwritten.
 *
 * <p><b>One trend row per run.</b> The run's row is added once and replaced in place when the run's report is
 * written again (a paused run that later ends updates its row); see {@link QualityTrend} for the rule of the
 * improving/stable/declining line and how a hand-edited file is treated.
 *
 * <p><b>Durability and concurrency.</b> Choosing the name, writing the report and updating the trend happen under
 * one exclusive lock (the store's lock: in-JVM plus OS file lock on {@link Builder#lockFile}), so two runs ending at
 * once lose no row and never take the same name. Both files are replaced atomically (temporary file, force, rename,
 * directory force).
 *
 * <pre>{@code
 * StoryReports reports = StoryReports.builder(projectDir).lockFile(projectDir.resolve(".pipeline/reports.lock")).build();
 * StoryReports.Written written = reports.write(runtime.load(runId).state(), Clock.systemDefaultZone());
 * written.report();      // .../docs/tasks/reports/pipeline-2026-01-05.md
 * written.direction();   // IMPROVING, STABLE, DECLINING or UNKNOWN
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class StoryReports {

    /** Where reports go, relative to the project: {@code docs/tasks/reports}. */
    public static final String REPORTS_DIR = "docs/tasks/reports";

    /** The trend file's name. */
    public static final String TREND_FILE = "quality-trend.md";

    /** How many lines of a report are searched for its run marker. */
    private static final int MARKER_LINES = 8;

    private final Path directory;
    private final Path lockFile;
    private final Duration lockTimeout;

    private StoryReports(Builder builder) {
        this.directory = builder.project.resolve(REPORTS_DIR);
        this.lockFile = builder.lockFile != null ? builder.lockFile : builder.project.resolve(".pipeline")
                .resolve("reports.lock");
        this.lockTimeout = builder.lockTimeout;
    }

    /**
     * Starts the configuration of a project's reports.
     *
     * @param projectDir the project: reports go to its {@code docs/tasks/reports}
     * @return a builder, never null
     */
    public static Builder builder(Path projectDir) {
        return new Builder(projectDir);
    }

    /** @return the directory reports are written to, never null */
    public Path directory() {
        return directory;
    }

    /** @return the trend file, never null */
    public Path trendFile() {
        return directory.resolve(TREND_FILE);
    }

    /**
     * What {@link #write} wrote.
     *
     * @param report the report file
     * @param trend the trend file
     * @param direction the trend's direction after the run's row
     * @param rowAdded whether the run's row was new (false: it replaced the run's earlier row)
     * @param warnings rows of the trend file that could not be read (kept, left out of the trend), with line numbers
     * @since 0.1
     */
    public record Written(Path report, Path trend, QualityTrend.Direction direction, boolean rowAdded,
                          List<String> warnings) {

        /** Copies. */
        public Written {
            Objects.requireNonNull(report, "report");
            Objects.requireNonNull(trend, "trend");
            Objects.requireNonNull(direction, "direction");
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Renders the run's report and writes it with the run's trend row.
     *
     * @param run the run
     * @param clock the zone of the report's date, and "now" for a run still working
     * @return the files and the trend's direction, never null
     * @throws ReportException {@code trend_unreadable} if the trend file cannot be read (nothing is written then),
     *     {@code io_error} if a file cannot be read or written
     * @throws dev.agentpipeline.core.store.LockTimeoutException if another writer holds the lock for longer than the
     *     timeout
     * @throws dev.agentpipeline.core.run.Ids.InvalidIdException if the story or run id is not a safe id
     */
    public Written write(RunState run, Clock clock) {
        return write(StoryReport.render(run, clock));
    }

    /**
     * Writes a rendered report and its trend row.
     *
     * @param report the report
     * @return the files and the trend's direction, never null
     * @throws ReportException as {@link #write(RunState, Clock)}
     */
    public Written write(StoryReport report) {
        Objects.requireNonNull(report, "report");
        String story = Ids.requireSafe("story id", report.storyId());
        String runId = Ids.requireSafe("run id", report.runId());
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw ioError("create the directory " + directory, e);
        }
        try (RunLock ignored = SharedFiles.lock(lockFile, lockTimeout, "the reports of " + directory)) {
            Path trendFile = trendFile();
            QualityTrend trend = QualityTrend.parse(trendFile.toString(), read(trendFile)); // before any write
            boolean added = !trend.hasRun(runId);
            trend = trend.record(report.trendRow());
            Path reportFile = find(runId).orElseGet(() -> freeName(report, story));
            replace(reportFile, report.markdown());
            replace(trendFile, trend.render());
            return new Written(reportFile, trendFile, trend.direction(), added, trend.warnings());
        }
    }

    /**
     * The report file of a run, if one was written.
     *
     * @param runId the run
     * @return the file that names the run, if any
     * @throws ReportException {@code io_error} if the directory cannot be read
     */
    public Optional<Path> find(String runId) {
        String marker = StoryReport.RUN_MARKER + Ids.requireSafe("run id", runId) + " -->";
        if (!Files.isDirectory(directory)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "pipeline-*.md")) {
            for (Path file : files) {
                if (names(file, marker)) {
                    return Optional.of(file);
                }
            }
        } catch (IOException e) {
            throw ioError("list " + directory, e);
        }
        return Optional.empty();
    }

    private static boolean names(Path file, String marker) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < MARKER_LINES; i++) {
                String line = reader.readLine();
                if (line == null) {
                    return false;
                }
                if (line.strip().equals(marker)) {
                    return true;
                }
            }
        } catch (java.nio.charset.MalformedInputException e) {
            return false; // not one of ours
        }
        return false;
    }

    private Path freeName(StoryReport report, String story) {
        String date = report.date().toString();
        Path candidate = directory.resolve("pipeline-" + date + ".md");
        for (int n = 1; Files.exists(candidate); n++) {
            candidate = directory.resolve("pipeline-" + date + "-" + story + (n == 1 ? "" : "-" + n) + ".md");
        }
        return candidate;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw ioError("read " + file, e);
        }
    }

    private static void replace(Path file, String text) {
        try {
            SharedFiles.replace(file, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw ioError("write " + file, e);
        }
    }

    private static ReportException ioError(String what, IOException e) {
        return new ReportException("io_error", "Cannot " + what + ": " + e + ".",
                "Check that the directory exists and is writable.", e);
    }

    /**
     * Configures {@link StoryReports}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final Path project;
        private Path lockFile;
        private Duration lockTimeout = Duration.ofSeconds(30);

        private Builder(Path projectDir) {
            this.project = Objects.requireNonNull(projectDir, "projectDir").toAbsolutePath().normalize();
        }

        /**
         * The lock file every writer of this project's reports takes (default {@code <project>/.pipeline/reports.lock},
         * beside the runs, out of the project's git). Writers that must not race have to use the same file.
         *
         * @param file the lock file; created if missing, never written
         * @return this builder
         */
        public Builder lockFile(Path file) {
            this.lockFile = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
            return this;
        }

        /**
         * How long to wait for another writer (default 30 s).
         *
         * @param timeout the longest wait, positive
         * @return this builder
         * @throws IllegalArgumentException if the timeout is zero or negative
         */
        public Builder lockTimeout(Duration timeout) {
            if (timeout == null || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("the lock timeout must be positive, got " + timeout);
            }
            this.lockTimeout = timeout;
            return this;
        }

        /** @return the configured writer, never null */
        public StoryReports build() {
            return new StoryReports(this);
        }
    }
}
