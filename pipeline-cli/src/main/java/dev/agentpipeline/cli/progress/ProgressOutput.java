package dev.agentpipeline.cli.progress;

import dev.agentpipeline.core.definition.PipelineDefinition;
import dev.agentpipeline.core.engine.RunListener;
import dev.agentpipeline.core.progress.DurationEstimates;
import dev.agentpipeline.core.run.RunEvent;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.core.store.RunStore;

import org.apiguardian.api.API;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * How the command line shows a run's progress: a {@link LiveDashboard} on a terminal, one {@link ProgressPrinter}
 * line per step anywhere else (a pipe, a file, CI, an agent reading the output). Close it when the run stops.
 *
 * <pre>{@code
 * try (ProgressOutput progress = ProgressOutput.open(ProgressOutput.Mode.choose("auto", System.getenv(), true),
 *         System.err, definition, store, clock)) {
 *     runtime.addListener(progress);
 *     orchestrator.drive(runId);
 * }
 * }</pre>
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class ProgressOutput implements RunListener, AutoCloseable {

    /** How many of a pipeline's newest runs the dashboard's time estimates learn from. */
    public static final int ESTIMATE_RUNS = 20;

    /** The two ways of showing progress. */
    public enum Mode {
        /** A dashboard repainted in place. */
        LIVE,
        /** A line per step. */
        LINES;

        /**
         * @param option {@code auto} (or null), {@code live} or {@code lines}
         * @param env the environment
         * @param terminal whether stdin and stdout are a terminal a person watches
         * @return the mode: for {@code auto}, live on a terminal with {@code TERM} set and not {@code dumb},
         *     outside CI ({@code CI} unset or {@code false}); lines otherwise
         * @throws IllegalArgumentException for another option, with the accepted ones
         */
        public static Mode choose(String option, Map<String, String> env, boolean terminal) {
            String value = option == null ? "auto" : option.trim().toLowerCase(Locale.ROOT);
            switch (value) {
                case "live":
                    return LIVE;
                case "lines":
                    return LINES;
                case "auto":
                    String term = env.getOrDefault("TERM", "");
                    String ci = env.getOrDefault("CI", "");
                    boolean watched = terminal && !term.isEmpty() && !term.equals("dumb");
                    return watched && (ci.isEmpty() || ci.equalsIgnoreCase("false")) ? LIVE : LINES;
                default:
                    throw new IllegalArgumentException("--progress must be auto, live or lines (got '" + option
                            + "')");
            }
        }
    }

    private final RunListener listener;
    private final LiveDashboard dashboard;

    private ProgressOutput(RunListener listener, LiveDashboard dashboard) {
        this.listener = listener;
        this.dashboard = dashboard;
    }

    /**
     * @param mode live or lines
     * @param out where to show it (the command line's stderr)
     * @param definition the run's definition
     * @param store the store, whose earlier runs give the dashboard its time estimates
     * @param clock the clock
     * @return the output; a listener to add to the runtime
     */
    public static ProgressOutput open(Mode mode, PrintStream out, PipelineDefinition definition, RunStore store,
                                      Clock clock) {
        Objects.requireNonNull(mode, "mode");
        if (mode == Mode.LINES) {
            return new ProgressOutput(new ProgressPrinter(out), null);
        }
        LiveDashboard dashboard = LiveDashboard.builder(out, definition).clock(clock)
                .estimates(DurationEstimates.fromStore(store, definition.id(), ESTIMATE_RUNS)).build();
        return new ProgressOutput(dashboard, dashboard);
    }

    @Override
    public void onEvent(RunEvent event, RunState state) {
        listener.onEvent(event, state);
    }

    /** Stops the dashboard's ticker, if there is one. */
    @Override
    public void close() {
        if (dashboard != null) {
            dashboard.close();
        }
    }
}
