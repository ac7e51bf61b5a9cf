package dev.agentpipeline.cli.progress;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.progress.DurationEstimates;
import dev.agentpipeline.core.progress.RunProgress;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;

import org.apiguardian.api.API;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * A dashboard of one run that repaints in place on a terminal as the run moves: the {@link DashboardView} of its
 * {@link RunProgress} at the bottom, redrawn on every event and every tick (so the elapsed time moves while a
 * stage works), and the notable events (workspace changes, retries, crashes, pauses, the end) printed above it as
 * lines that stay. {@link #close()} stops the ticker and leaves the last frame on the screen.
 *
 * <pre>{@code
 * try (LiveDashboard dashboard = LiveDashboard.builder(System.err, definition)
 *         .estimates(DurationEstimates.fromStore(store, "story", 20)).build()) {
 *     runtime.addListener(dashboard);
 *     orchestrator.drive(runId);
 * }
 * }</pre>
 *
 * <p>It follows the first run it hears of and ignores events of others. Thread-safe.
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class LiveDashboard implements RunListener, AutoCloseable {

    /** Cursor to the start of the line n lines up: {@code ESC [ n F}; then clear to the end of the screen. */
    private static final String CLEAR_TO_END = "\u001b[J";

    private final PrintStream out;
    private final PipelineDefinition definition;
    private final DurationEstimates estimates;
    private final Clock clock;
    private final DashboardView view;
    private final ByteArrayOutputStream logBuffer = new ByteArrayOutputStream();
    private final ProgressPrinter log;
    private final ScheduledExecutorService ticker;
    private String runId;
    private RunState latest;
    private int frameLines;
    private boolean closed;

    private LiveDashboard(Builder builder) {
        this.out = builder.out;
        this.definition = builder.definition;
        this.estimates = builder.estimates;
        this.clock = builder.clock;
        this.view = new DashboardView(builder.colour);
        this.log = new ProgressPrinter(new PrintStream(logBuffer, true, StandardCharsets.UTF_8));
        if (builder.tick.isZero()) {
            this.ticker = null;
        } else {
            this.ticker = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "live-dashboard");
                thread.setDaemon(true);
                return thread;
            });
            long millis = builder.tick.toMillis();
            ticker.scheduleAtFixedRate(this::tick, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * @param out the terminal to paint on
     * @param definition the definition of the runs it shows
     * @return a builder
     */
    public static Builder builder(PrintStream out, PipelineDefinition definition) {
        return new Builder(out, definition);
    }

    @Override
    public synchronized void onEvent(RunEvent event, RunState state) {
        if (closed) {
            return;
        }
        if (runId == null) {
            runId = state.runId();
        } else if (!runId.equals(state.runId())) {
            return;
        }
        latest = state;
        log.onEvent(event, state); // every event, so its clock and attempt times stay right
        if (!notable(event)) {
            logBuffer.reset(); // the frame shows these
        }
        repaint();
    }

    private static boolean notable(RunEvent event) {
        return event instanceof RunEvent.Started || event instanceof RunEvent.AttributesUpdated
                || event instanceof RunEvent.RetryScheduled || event instanceof RunEvent.AttemptCrashed
                || event instanceof RunEvent.Paused || event instanceof RunEvent.Ended;
    }

    private synchronized void tick() {
        if (!closed && latest != null && !latest.complete() && !latest.isPaused()) {
            repaint();
        }
    }

    /** Erases the last frame, prints the log lines that came since, draws the frame anew. */
    private void repaint() {
        StringBuilder screen = new StringBuilder();
        if (frameLines > 0) {
            screen.append("\u001b[").append(frameLines).append('F').append(CLEAR_TO_END);
        }
        String logged = logBuffer.toString(StandardCharsets.UTF_8);
        logBuffer.reset();
        screen.append(logged);
        List<String> frame = view.render(RunProgress.of(definition, latest, clock.instant(), estimates));
        for (String line : frame) {
            screen.append(line).append('\n');
        }
        frameLines = frame.size();
        out.print(screen);
        out.flush();
    }

    /** Stops the ticker; the last frame stays on the screen. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        if (ticker != null) {
            ticker.shutdownNow();
            try {
                ticker.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Builds {@link LiveDashboard}s.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final PrintStream out;
        private final PipelineDefinition definition;
        private DurationEstimates estimates = DurationEstimates.NONE;
        private Clock clock = Clock.systemUTC();
        private boolean colour = true;
        private Duration tick = Duration.ofSeconds(1);

        private Builder(PrintStream out, PipelineDefinition definition) {
            this.out = Objects.requireNonNull(out, "out");
            this.definition = Objects.requireNonNull(definition, "definition");
        }

        /** @param value what earlier runs spent per state (default none) @return this builder */
        public Builder estimates(DurationEstimates value) {
            this.estimates = Objects.requireNonNull(value, "estimates");
            return this;
        }

        /** @param value the clock for elapsed times (default the system's) @return this builder */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** @param value whether to colour statuses (default true) @return this builder */
        public Builder colour(boolean value) {
            this.colour = value;
            return this;
        }

        /**
         * @param value how often to repaint while nothing happens, so times move (default 1 s; zero: only on
         *     events)
         * @return this builder
         */
        public Builder tick(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("tick must not be negative (got " + value + ")");
            }
            this.tick = value;
            return this;
        }

        /** @return the dashboard, ticking if a tick was set */
        public LiveDashboard build() {
            return new LiveDashboard(this);
        }
    }
}
