package dev.agentpipeline.core.story.report;

import org.apiguardian.api.API;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The quality trend file, {@code docs/tasks/reports/quality-trend.md}: a table with one row per run (Date | Story |
 * Score | Rework | Infra issues) and a {@code **Trend:**} line that says whether quality is improving, stable or
 * declining. Parsing and rendering are pure; {@link StoryReports} reads and writes the file. Immutable and
 * thread-safe.
 *
 * <p><b>The rule.</b> Take the rows that have a score, in file order (oldest first): with fewer than two the
 * direction is {@link Direction#UNKNOWN}. Otherwise {@code n = min(3, count / 2)}; compare the mean of the last
 * {@code n} scores with the mean of the {@code n} before them: more than {@value #TOLERANCE} points higher is
 * {@link Direction#IMPROVING}, more than {@value #TOLERANCE} lower is {@link Direction#DECLINING}, anything within is
 * {@link Direction#STABLE}.
 *
 * <p><b>A file edited by hand</b> keeps everything: text before and after the table, and rows that cannot be read
 * (they are left out of the trend and named in {@link #warnings()} with their line number). Rows added by hand
 * without a run id count in the trend and are never replaced. Only the {@code **Trend:**} line is rewritten. A file
 * without the table header is refused ({@link ReportException} {@code trend_unreadable} with the line number).
 *
 * <pre>{@code
 * QualityTrend trend = QualityTrend.parse("quality-trend.md", Files.readString(file)).record(report.trendRow());
 * Files.writeString(file, trend.render());   // trend.direction() is IMPROVING, STABLE, DECLINING or UNKNOWN
 * }</pre>
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class QualityTrend {

    /** How many of the newest scores are compared with as many before them, at most. */
    public static final int WINDOW = 3;

    /** How many points (of 100) the two means may differ by and still be {@link Direction#STABLE}. */
    public static final double TOLERANCE = 5.0;

    /** The columns of the trend table. */
    public static final List<String> COLUMNS = List.of("Date", "Story", "Score", "Rework", "Infra issues");

    private static final String TREND_PREFIX = "**Trend:**";
    private static final String RUN_COMMENT = "<!-- run_id: ";
    private static final Pattern RUN_ID = Pattern.compile("<!--\\s*run_id:\\s*([A-Za-z0-9._-]+)\\s*-->");
    private static final Pattern SCORE = Pattern.compile("(\\d+(?:\\.\\d+)?)(?:\\s*/\\s*100)?");

    /** Where quality is going. */
    public enum Direction {
        /** The newest scores are higher than the ones before, by more than the tolerance. */
        IMPROVING,
        /** The newest scores are within the tolerance of the ones before. */
        STABLE,
        /** The newest scores are lower than the ones before, by more than the tolerance. */
        DECLINING,
        /** Fewer than two runs have a score. */
        UNKNOWN;

        /** @return the lower-case name used in files and JSON ({@code improving}) */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One line of the file: text kept as it is, or a table row (read, or kept unread). */
    private record Line(String text, TrendRow row, boolean tableRow) {
    }

    private final String fileName;
    private final List<String> before;
    private final List<Line> rows;
    private final List<String> after;
    private final List<String> warnings;

    private QualityTrend(String fileName, List<String> before, List<Line> rows, List<String> after,
                         List<String> warnings) {
        this.fileName = fileName;
        this.before = List.copyOf(before);
        this.rows = List.copyOf(rows);
        this.after = List.copyOf(after);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * A new, empty trend file.
     *
     * @return the trend, never null
     */
    public static QualityTrend empty() {
        List<String> before = List.of("# Quality Trend", "",
                "One row per pipeline run, oldest first, written by agent-pipeline when a run ends or pauses. Rows"
                        + " added by hand are kept.", "");
        return new QualityTrend("quality-trend.md", before, List.of(), List.of(), List.of());
    }

    /**
     * Reads a trend file. Blank text is a new file.
     *
     * @param fileName the file's name, for messages
     * @param text its content
     * @return the trend, never null
     * @throws ReportException {@code trend_unreadable} if the text has no trend table, or its header is not followed
     *     by a separator line; the message names the line
     */
    public static QualityTrend parse(String fileName, String text) {
        Objects.requireNonNull(fileName, "fileName");
        if (text == null || text.isBlank()) {
            return empty();
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1); // the final newline
        }
        int header = -1;
        for (int i = 0; i < lines.size() && header < 0; i++) {
            if (isHeader(lines.get(i))) {
                header = i;
            }
        }
        if (header < 0) {
            throw new ReportException("trend_unreadable", fileName + ":1: no trend table found: the file needs the"
                    + " header line '| " + String.join(" | ", COLUMNS) + " |' followed by a separator line.",
                    "Add the header and the separator '|---|---|---|---|---|' above the rows, or move the file away"
                            + " so that the next report starts a new one.", null);
        }
        if (header + 1 >= lines.size() || !isSeparator(lines.get(header + 1))) {
            throw new ReportException("trend_unreadable", fileName + ":" + (header + 2) + ": the trend table's header"
                    + " (line " + (header + 1) + ") must be followed by a separator line.",
                    "Put '|---|---|---|---|---|' on line " + (header + 2) + ".", null);
        }
        List<String> before = new ArrayList<>(lines.subList(0, header));
        List<Line> rows = new ArrayList<>();
        rows.add(new Line(lines.get(header), null, false));
        rows.add(new Line(lines.get(header + 1), null, false));
        List<String> warnings = new ArrayList<>();
        int i = header + 2;
        for (; i < lines.size() && lines.get(i).strip().startsWith("|"); i++) {
            String line = lines.get(i);
            try {
                rows.add(new Line(line, readRow(line), true));
            } catch (IllegalArgumentException e) {
                warnings.add(fileName + ":" + (i + 1) + ": " + e.getMessage() + "; the row is kept and left out of"
                        + " the trend");
                rows.add(new Line(line, null, true));
            }
        }
        return new QualityTrend(fileName, before, rows, new ArrayList<>(lines.subList(i, lines.size())), warnings);
    }

    private static boolean isHeader(String line) {
        List<String> cells = cells(line);
        if (cells.size() < COLUMNS.size()) {
            return false;
        }
        for (int i = 0; i < COLUMNS.size(); i++) {
            if (!cells.get(i).equalsIgnoreCase(COLUMNS.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSeparator(String line) {
        List<String> cells = cells(line);
        return cells.size() >= COLUMNS.size() && cells.stream().allMatch(c -> c.matches(":?-+:?"));
    }

    /** The cells of a table line: split on pipes that are not escaped, outer pipes dropped, trimmed. */
    private static List<String> cells(String line) {
        String text = RUN_ID.matcher(line).replaceAll("").strip();
        if (!text.startsWith("|")) {
            return List.of();
        }
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                cell.append(c).append(text.charAt(++i));
            } else if (c == '|') {
                cells.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        if (!cell.toString().isBlank()) {
            cells.add(cell.toString().strip());
        }
        return cells;
    }

    private static TrendRow readRow(String line) {
        List<String> cells = cells(line);
        if (cells.size() < COLUMNS.size()) {
            throw new IllegalArgumentException("a row needs " + COLUMNS.size() + " cells (" + String.join(" | ", COLUMNS)
                    + "), this one has " + cells.size());
        }
        LocalDate date;
        try {
            date = LocalDate.parse(cells.get(0));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("the date '" + cells.get(0) + "' is not a date like 2026-01-05");
        }
        OptionalDouble score = OptionalDouble.empty();
        if (!cells.get(2).equals("-")) {
            Matcher matcher = SCORE.matcher(cells.get(2));
            if (!matcher.matches()) {
                throw new IllegalArgumentException("the score '" + cells.get(2) + "' is not a number like 92/100 or -");
            }
            score = OptionalDouble.of(Double.parseDouble(matcher.group(1)));
        }
        Matcher run = RUN_ID.matcher(line);
        String runId = run.find() ? run.group(1) : null;
        return new TrendRow(date, unescape(cells.get(1)), runId, score, count(cells.get(3), "rework"),
                count(cells.get(4), "infra issues"));
    }

    private static int count(String cell, String what) {
        if (cell.equals("-")) {
            return 0;
        }
        if (!cell.matches("\\d{1,9}")) {
            throw new IllegalArgumentException("the " + what + " count '" + cell + "' is not a whole number");
        }
        return Integer.parseInt(cell);
    }

    private static String unescape(String cell) {
        return cell.replace("\\|", "|").replace("\\\\", "\\");
    }

    /**
     * Adds a run's row, or replaces the row the same run wrote before (in its place): a run never has two rows.
     *
     * @param row the run's row; its run id must not be null
     * @return the trend with the row, never null
     * @throws IllegalArgumentException if the row has no run id
     */
    public QualityTrend record(TrendRow row) {
        Objects.requireNonNull(row, "row");
        if (row.runId() == null) {
            throw new IllegalArgumentException("a recorded row needs its run id");
        }
        List<Line> next = new ArrayList<>(rows.isEmpty() ? tableHead() : rows);
        Line line = new Line(render(row), row, true);
        boolean replaced = false;
        for (int i = 0; i < next.size(); i++) {
            TrendRow existing = next.get(i).row();
            if (existing != null && row.runId().equals(existing.runId())) {
                next.set(i, line);
                replaced = true;
            }
        }
        if (!replaced) {
            next.add(line);
        }
        return new QualityTrend(fileName, before, next, after, warnings);
    }

    private static List<Line> tableHead() {
        StringBuilder header = new StringBuilder("|");
        StringBuilder separator = new StringBuilder("|");
        for (String column : COLUMNS) {
            header.append(' ').append(column).append(" |");
            separator.append(' ').append("-".repeat(column.length())).append(" |");
        }
        return List.of(new Line(header.toString(), null, false), new Line(separator.toString(), null, false));
    }

    private static String render(TrendRow row) {
        return "| " + row.date() + " | " + StoryReport.cell(row.storyId()) + " | "
                + (row.score().isPresent() ? StoryReport.formatNumber(row.score().getAsDouble()) + "/100" : "-")
                + " | " + row.rework() + " | " + row.infraIssues() + " | " + RUN_COMMENT + row.runId() + " -->";
    }

    /** @return the rows that could be read, oldest first, unmodifiable, never null */
    public List<TrendRow> rows() {
        List<TrendRow> list = new ArrayList<>();
        rows.forEach(line -> {
            if (line.row() != null) {
                list.add(line.row());
            }
        });
        return Collections.unmodifiableList(list);
    }

    /**
     * @param runId a run
     * @return whether the run has a row
     */
    public boolean hasRun(String runId) {
        return rows.stream().anyMatch(line -> line.row() != null && runId.equals(line.row().runId()));
    }

    /** @return the rows that could not be read, each with its line number, unmodifiable, never null */
    public List<String> warnings() {
        return warnings;
    }

    /** @return where quality is going, by the rule of this class, never null */
    public Direction direction() {
        return evaluate().direction;
    }

    private record Evaluation(Direction direction, int window, double recent, double previous) {
    }

    private Evaluation evaluate() {
        List<Double> scores = new ArrayList<>();
        for (TrendRow row : rows()) {
            row.score().ifPresent(scores::add);
        }
        if (scores.size() < 2) {
            return new Evaluation(Direction.UNKNOWN, 0, 0, 0);
        }
        int n = Math.min(WINDOW, scores.size() / 2);
        double recent = mean(scores.subList(scores.size() - n, scores.size()));
        double previous = mean(scores.subList(scores.size() - 2 * n, scores.size() - n));
        double delta = recent - previous;
        Direction direction = delta > TOLERANCE ? Direction.IMPROVING
                : delta < -TOLERANCE ? Direction.DECLINING : Direction.STABLE;
        return new Evaluation(direction, n, recent, previous);
    }

    private static double mean(List<Double> values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.size();
    }

    /** @return the {@code **Trend:**} line: the direction and the numbers it was judged on, never null */
    public String trendLine() {
        Evaluation e = evaluate();
        if (e.direction == Direction.UNKNOWN) {
            return TREND_PREFIX + " unknown \u2014 fewer than two runs have a quality score.";
        }
        String runs = e.window == 1 ? "the last scored run" : "the last " + e.window + " scored runs";
        String others = e.window == 1 ? "the one before" : "the " + e.window + " before";
        double delta = e.recent - e.previous;
        String compared = delta == 0 ? "the same as" : round(Math.abs(delta)) + " points " + (delta > 0 ? "above" : "below");
        return TREND_PREFIX + " " + e.direction.wireName() + " \u2014 the mean score of " + runs + " ("
                + round(e.recent) + ") is " + compared + " the mean of " + others + " (" + round(e.previous)
                + "); within \u00b1" + round(TOLERANCE) + " points is stable.";
    }

    private static String round(double value) {
        return StoryReport.formatNumber(Math.round(value * 10) / 10.0);
    }

    /**
     * The file's text: what was before the table, with the {@code **Trend:**} line rewritten (or added above the
     * table), the table, and what was after it.
     *
     * @return the text, ending with a newline, never null
     */
    public String render() {
        List<String> out = new ArrayList<>();
        boolean trendWritten = false;
        for (String line : before) {
            if (line.strip().startsWith(TREND_PREFIX)) {
                if (!trendWritten) {
                    out.add(trendLine());
                    trendWritten = true;
                }
            } else {
                out.add(line);
            }
        }
        if (!trendWritten) {
            while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) {
                out.remove(out.size() - 1);
            }
            if (!out.isEmpty()) {
                out.add("");
            }
            out.add(trendLine());
            out.add("");
        }
        (rows.isEmpty() ? tableHead() : rows).forEach(line -> out.add(line.text()));
        out.addAll(after);
        return String.join("\n", out) + "\n";
    }

    @Override
    public String toString() {
        return "QualityTrend[" + fileName + ", " + rows().size() + " rows, " + direction().wireName() + "]";
    }
}
