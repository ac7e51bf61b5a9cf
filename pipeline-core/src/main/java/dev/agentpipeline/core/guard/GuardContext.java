package dev.agentpipeline.core.guard;

import dev.agentpipeline.core.run.Checkpoint;
import dev.agentpipeline.core.run.RunState;
import dev.agentpipeline.spi.StageOutcome;

import org.apiguardian.api.API;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What a guard judges: the run, the transition, and the run's evidence addressed by path. Immutable.
 *
 * <p>Evidence paths (all evidence is <em>fresh</em>: recorded during the current visit of its state, see
 * {@link RunState}):
 * <ul>
 *   <li>{@code checkpoint.STATE} and {@code checkpoint.STATE.field} - the newest checkpoint's payload;</li>
 *   <li>{@code summary.STATE} and {@code summary.STATE.field} - the newest stage summary's {@code payload}; when
 *       the run's summaries are {@linkplain dev.agentpipeline.core.run.SummaryPolicy#OPTIONAL optional} and the
 *       state has none, its {@linkplain SummaryStandIn stand-in} made from its newest checkpoint;</li>
 *   <li>{@code outcome.STATE.status|verdict|failure_class|notes}, {@code outcome.STATE.scores.NAME},
 *       {@code outcome.STATE.metrics.NAME}, {@code outcome.STATE.attributes.NAME} - the newest stage outcome;</li>
 *   <li>{@code evidence.STATE.KEY.FIELD} - what the state's evidence collectors found after its newest completed
 *       attempt ({@code evidence.STAGE_3.coverage.line}): the {@code evidence} field of the newest checkpoint;</li>
 *   <li>{@code signal.STATE.field} - the newest signal the state received ({@code signal.PHASE_7.status});</li>
 *   <li>{@code decision.STATE.option|by|reason|at} - the answer of the state's decision gate;</li>
 *   <li>{@code children.STATE.count|ended|done|canceled|all_done} - the child runs the state started;</li>
 *   <li>{@code counter.NAME} - a counter's value;</li>
 *   <li>{@code run.phase}, {@code run.subject}, {@code run.title}, {@code run.NAME} - the run and its
 *       attributes.</li>
 * </ul>
 * Names may contain dots ({@code outcome.STAGE_2.metrics.coverage.line}): the longest matching key wins.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class GuardContext {

    private final RunState run;
    private final String from;
    private final String to;
    private final Map<String, SummaryStandIn> summaryStandIns;

    private GuardContext(RunState run, String from, String to, Map<String, SummaryStandIn> summaryStandIns) {
        this.run = Objects.requireNonNull(run, "run");
        this.from = Objects.requireNonNull(from, "from");
        this.to = Objects.requireNonNull(to, "to");
        this.summaryStandIns = Map.copyOf(summaryStandIns);
    }

    /**
     * A context without summary stand-ins: {@code summary.STATE} paths read recorded summaries only.
     *
     * @param run the run
     * @param from the state the transition leaves (the paused-from state when resuming)
     * @param to the state it enters
     * @return the context
     */
    public static GuardContext of(RunState run, String from, String to) {
        return new GuardContext(run, from, to, Map.of());
    }

    /**
     * A context whose {@code summary.STATE} paths fall back to the state's stand-in when the run's summaries are
     * optional and the state has no fresh summary.
     *
     * @param run the run
     * @param from the state the transition leaves (the paused-from state when resuming)
     * @param to the state it enters
     * @param summaryStandIns the stand-ins the definition declares, by state
     * @return the context
     * @since 0.1
     */
    public static GuardContext of(RunState run, String from, String to, Map<String, SummaryStandIn> summaryStandIns) {
        return new GuardContext(run, from, to, Objects.requireNonNull(summaryStandIns, "summaryStandIns"));
    }

    /**
     * The summary payload guards read for a state: its fresh summary's {@code payload}, else its stand-in when the
     * run's summaries are optional (see {@link SummaryStandIn#summaryOf}).
     *
     * @param stateId a state
     * @return the payload, empty if there is none
     * @since 0.1
     */
    public Optional<Map<String, Object>> summary(String stateId) {
        return SummaryStandIn.summaryOf(run, stateId, summaryStandIns.get(stateId));
    }

    /** @return the run, never null */
    public RunState run() {
        return run;
    }

    /** @return the state the transition leaves, never null */
    public String from() {
        return from;
    }

    /** @return the state the transition enters, never null */
    public String to() {
        return to;
    }

    /**
     * Reads evidence by path.
     *
     * @param path an evidence path, see the class comment
     * @return the value, empty if absent or JSON null
     */
    public Optional<Object> value(String path) {
        Object value = resolve(path);
        return value == ABSENT ? Optional.empty() : Optional.ofNullable(value);
    }

    /**
     * @param path an evidence path
     * @return whether the path leads to a value (which may be JSON null)
     */
    public boolean isPresent(String path) {
        return resolve(path) != ABSENT;
    }

    /** The field of a checkpoint's payload that holds what the state's evidence collectors found. */
    public static final String EVIDENCE_FIELD = "evidence";

    static final Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "<absent>";
        }
    };

    /**
     * Resolves a path to a JSON-compatible value or {@link #ABSENT}.
     *
     * @param path the path
     * @return the value
     */
    Object resolve(String path) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            return ABSENT;
        }
        String root = path.substring(0, dot);
        String rest = path.substring(dot + 1);
        switch (root) {
            case "counter":
                return run.counters().containsKey(rest) ? (Object) run.counter(rest) : ABSENT;
            case "run":
                return resolveRun(rest);
            case "checkpoint": {
                String[] parts = splitState(rest);
                Optional<Checkpoint> checkpoint = run.freshCheckpoint(parts[0]);
                return checkpoint.isEmpty() ? ABSENT : walk(checkpoint.get().payload(), parts[1]);
            }
            case "evidence": {
                String[] parts = splitState(rest);
                Optional<Checkpoint> checkpoint = run.freshCheckpoint(parts[0]);
                Object evidence = checkpoint.isEmpty() ? null : checkpoint.get().payload().get(EVIDENCE_FIELD);
                return evidence == null ? ABSENT : walk(evidence, parts[1]);
            }
            case "summary": {
                String[] parts = splitState(rest);
                Optional<Map<String, Object>> summary = summary(parts[0]);
                return summary.isEmpty() ? ABSENT : walk(summary.get(), parts[1]);
            }
            case "signal": {
                String[] parts = splitState(rest);
                return run.freshSignal(parts[0]).map(signal -> walk(signal.payload(), parts[1])).orElse(ABSENT);
            }
            case "decision": {
                String[] parts = splitState(rest);
                Optional<dev.agentpipeline.core.run.Decision> decision = run.freshGate(parts[0])
                        .flatMap(dev.agentpipeline.core.run.Gate::answer);
                if (decision.isEmpty()) {
                    return ABSENT;
                }
                return switch (parts[1]) {
                    case "option" -> decision.get().option();
                    case "by" -> decision.get().by();
                    case "reason" -> decision.get().reason();
                    case "at" -> dev.agentpipeline.core.internal.Times.format(decision.get().at());
                    default -> ABSENT;
                };
            }
            case "children": {
                String[] parts = splitState(rest);
                return childrenField(run.freshChildren(parts[0]), parts[1]);
            }
            case "outcome": {
                String[] parts = splitState(rest);
                Optional<StageOutcome> outcome = run.freshOutcome(parts[0]);
                return outcome.isEmpty() ? ABSENT : walk(outcomeView(outcome.get()), parts[1]);
            }
            default:
                return ABSENT;
        }
    }

    private static Object childrenField(java.util.List<dev.agentpipeline.core.run.ChildRun> children, String field) {
        if (children.isEmpty()) {
            return ABSENT;
        }
        int ended = 0;
        int done = 0;
        int canceled = 0;
        for (var child : children) {
            if (child.ended()) {
                ended++;
                if ("DONE".equals(child.result())) {
                    done++;
                } else if ("CANCELED".equals(child.result())) {
                    canceled++;
                }
            }
        }
        return switch (field) {
            case "count" -> children.size();
            case "ended" -> ended;
            case "done" -> done;
            case "canceled" -> canceled;
            case "all_done" -> done == children.size();
            default -> ABSENT;
        };
    }

    private Object resolveRun(String rest) {
        switch (rest) {
            case "phase":
                return run.phase();
            case "subject":
                return run.subjectId();
            case "title":
                return run.title();
            default:
                return walk(run.attributes(), rest);
        }
    }

    private static String[] splitState(String rest) {
        int dot = rest.indexOf('.');
        return dot < 0 ? new String[] {rest, ""} : new String[] {rest.substring(0, dot), rest.substring(dot + 1)};
    }

    static Map<String, Object> outcomeView(StageOutcome outcome) {
        Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("status", outcome.status().wireName());
        view.put("verdict", outcome.verdict().orElse(null));
        view.put("failure_class", outcome.failureClass().wireName());
        view.put("notes", outcome.notes());
        view.put("scores", outcome.scores());
        view.put("metrics", outcome.metrics());
        view.put("attributes", outcome.attributes());
        view.put("warnings", outcome.warnings());
        return view;
    }

    /**
     * Walks a dotted path into nested maps; at each level the longest key that matches wins, so keys may contain
     * dots.
     */
    static Object walk(Object root, String path) {
        if (path.isEmpty()) {
            return root;
        }
        if (root instanceof Map<?, ?> map) {
            if (map.containsKey(path)) {
                return map.get(path);
            }
            int dot = path.lastIndexOf('.');
            while (dot > 0) {
                String key = path.substring(0, dot);
                if (map.containsKey(key)) {
                    Object found = walk(map.get(key), path.substring(dot + 1));
                    if (found != ABSENT) {
                        return found;
                    }
                }
                dot = path.lastIndexOf('.', dot - 1);
            }
            return ABSENT;
        }
        if (root instanceof List<?> list) {
            int dot = path.indexOf('.');
            String head = dot < 0 ? path : path.substring(0, dot);
            try {
                int index = Integer.parseInt(head);
                if (index >= 0 && index < list.size()) {
                    return walk(list.get(index), dot < 0 ? "" : path.substring(dot + 1));
                }
            } catch (NumberFormatException ignored) {
                // not an index
            }
        }
        return ABSENT;
    }
}
