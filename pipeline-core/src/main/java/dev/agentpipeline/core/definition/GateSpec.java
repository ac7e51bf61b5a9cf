package dev.agentpipeline.core.definition;

import dev.agentpipeline.core.guard.MessageTemplate;
import dev.agentpipeline.core.run.GateOption;
import dev.agentpipeline.core.run.GateRequest;

import org.apiguardian.api.API;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * That a state is a decision gate: entering it asks a person a question, and its transitions are tried once the
 * question is answered (the state's {@code gate:} in YAML). Immutable.
 *
 * <pre>
 * ESCALATE_AMBIGUOUS:
 *   gate:
 *     question: "Phase ${run.phase_name} needs a decision: ${signal.PHASE_7.error.message}"
 *     options:
 *       - {id: A, label: Resolve it by hand, pros: [...], cons: [...]}
 *       - {id: B, label: Skip the task for now}
 *       - {id: C, label: Abort the pipeline}
 *     options_from: signal.PHASE_7.error.options   # the agent's own options, when its signal has them
 *     answerers: [lead]
 *     timeout: 4h
 *     on_expiry: escalate        # escalate | default | pause
 *     escalate_to: [cto]
 * </pre>
 * Guards read the answer as {@code decision.ESCALATE_AMBIGUOUS.option} ({@code .by}, {@code .reason}).
 *
 * @param question what is asked; may hold {@code ${path}} placeholders of evidence
 * @param options the options offered, possibly none (any non-blank answer)
 * @param optionsFrom an evidence path to a list of options ({@code {id, label, pros, cons}}) that replaces the
 *     static ones when it resolves, or null
 * @param answerers who may answer; empty for anyone
 * @param timeout how long it waits before its expiry action, or null
 * @param onExpiry what happens then
 * @param defaultOption the option taken on {@link GateRequest.Expiry#DEFAULT}, else null
 * @param escalateTo who may answer after an escalation
 * @param location where it was defined
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record GateSpec(MessageTemplate question, List<GateOption> options, String optionsFrom, List<String> answerers,
                       Duration timeout, GateRequest.Expiry onExpiry, String defaultOption, List<String> escalateTo,
                       SourceLocation location) {

    /** Validates and copies; the same rules as {@link GateRequest}. */
    public GateSpec {
        Objects.requireNonNull(question, "question");
        options = options == null ? List.of() : List.copyOf(options);
        answerers = answerers == null ? List.of() : List.copyOf(answerers);
        escalateTo = escalateTo == null ? List.of() : List.copyOf(escalateTo);
        onExpiry = onExpiry == null ? GateRequest.Expiry.PAUSE : onExpiry;
        Objects.requireNonNull(location, "location");
        // The request's own checks, with the question as written:
        new GateRequest(question.text().isBlank() ? "?" : question.text(), options, answerers, timeout, onExpiry,
                defaultOption, escalateTo);
        if (onExpiry != GateRequest.Expiry.DEFAULT) {
            defaultOption = null;
        }
    }

    /**
     * @param request a fixed request
     * @return a gate asking it
     */
    public static GateSpec of(GateRequest request) {
        return new GateSpec(MessageTemplate.of(request.question()), request.options(), null, request.answerers(),
                request.timeout(), request.onExpiry(), request.defaultOption(), request.escalateTo(),
                SourceLocation.BUILDER);
    }
}
