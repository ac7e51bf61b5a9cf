package dev.agentpipeline.core.run;

import org.apiguardian.api.API;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * What a decision gate asks: a question, the options (with pros and cons), who may answer, how long it waits and
 * what happens when nobody answers in time. Immutable.
 *
 * <pre>{@code
 * GateRequest request = GateRequest.builder("Approve the task breakdown?")
 *         .option(GateOption.of("approve", "Go on with spec generation"))
 *         .option(GateOption.of("reject", "Stop the pipeline"))
 *         .answerers(List.of("lead"))
 *         .timeout(Duration.ofHours(4), GateRequest.Expiry.DEFAULT, "approve")
 *         .build();
 * }</pre>
 *
 * @param question what is asked, never blank
 * @param options the answers offered; empty means any non-blank answer
 * @param answerers who may answer (names as the caller of {@code decide} gives them); empty means anyone
 * @param timeout how long the gate waits before its expiry action, or null to wait until answered
 * @param onExpiry what happens when the timeout passes
 * @param defaultOption the option taken on expiry when {@code onExpiry} is {@link Expiry#DEFAULT}, else null
 * @param escalateTo who may answer after an escalation (added to the answerers), possibly empty
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record GateRequest(String question, List<GateOption> options, List<String> answerers, Duration timeout,
                          Expiry onExpiry, String defaultOption, List<String> escalateTo) {

    /**
     * What happens when a gate's timeout passes without an answer.
     *
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public enum Expiry {
        /** The gate stays open, addressed also to {@code escalateTo}; listeners hear it. */
        ESCALATE,
        /** The default option is recorded as the decision, by {@code timeout}. */
        DEFAULT,
        /** The run pauses; the gate stays open, and an answer resumes the run. */
        PAUSE;

        /** @return the name used in definitions and journals ({@code escalate}) */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * @param name a wire name
         * @return the expiry action
         * @throws IllegalArgumentException if the name is unknown
         */
        public static Expiry fromWireName(String name) {
            for (Expiry value : values()) {
                if (value.wireName().equals(name)) {
                    return value;
                }
            }
            throw new IllegalArgumentException("unknown expiry action '" + name + "' (escalate, default, pause)");
        }
    }

    /** Validates and copies. */
    public GateRequest {
        Objects.requireNonNull(question, "question");
        if (question.isBlank()) {
            throw new IllegalArgumentException("a gate needs a question");
        }
        options = options == null ? List.of() : List.copyOf(options);
        answerers = answerers == null ? List.of() : List.copyOf(answerers);
        escalateTo = escalateTo == null ? List.of() : List.copyOf(escalateTo);
        onExpiry = onExpiry == null ? Expiry.PAUSE : onExpiry;
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("a gate's timeout must be positive, got " + timeout);
        }
        if (onExpiry == Expiry.DEFAULT) {
            if (defaultOption == null) {
                throw new IllegalArgumentException("expiry 'default' needs a default option");
            }
            String wanted = defaultOption;
            if (!options.isEmpty() && options.stream().noneMatch(o -> o.id().equals(wanted))) {
                throw new IllegalArgumentException("the default option '" + defaultOption + "' is not one of the"
                        + " options " + options.stream().map(GateOption::id).toList());
            }
        } else {
            defaultOption = null;
        }
        List<String> ids = new ArrayList<>();
        for (GateOption option : options) {
            if (ids.contains(option.id())) {
                throw new IllegalArgumentException("option '" + option.id() + "' is offered twice");
            }
            ids.add(option.id());
        }
    }

    /** @return the timeout, if the gate has one */
    public Optional<Duration> timeoutIfAny() {
        return Optional.ofNullable(timeout);
    }

    /**
     * @param id an option id (case is ignored)
     * @return the offered option of that id
     */
    public Optional<GateOption> option(String id) {
        return options.stream().filter(o -> o.id().equalsIgnoreCase(id)).findFirst();
    }

    /**
     * @param question what is asked
     * @return a builder
     */
    public static Builder builder(String question) {
        return new Builder(question);
    }

    /**
     * Builds a {@link GateRequest}.
     *
     * @since 0.1
     */
    @API(status = EXPERIMENTAL, since = "0.1")
    public static final class Builder {
        private final String question;
        private final List<GateOption> options = new ArrayList<>();
        private List<String> answerers = List.of();
        private Duration timeout;
        private Expiry onExpiry = Expiry.PAUSE;
        private String defaultOption;
        private List<String> escalateTo = List.of();

        private Builder(String question) {
            this.question = question;
        }

        /**
         * @param option an option, offered after those added before it
         * @return this builder
         */
        public Builder option(GateOption option) {
            options.add(Objects.requireNonNull(option, "option"));
            return this;
        }

        /**
         * @param value who may answer; empty for anyone
         * @return this builder
         */
        public Builder answerers(List<String> value) {
            this.answerers = List.copyOf(value);
            return this;
        }

        /**
         * @param value how long to wait
         * @param expiry what happens then
         * @param defaultOptionId the option taken for {@link Expiry#DEFAULT}, else null
         * @return this builder
         */
        public Builder timeout(Duration value, Expiry expiry, String defaultOptionId) {
            this.timeout = value;
            this.onExpiry = expiry;
            this.defaultOption = defaultOptionId;
            return this;
        }

        /**
         * @param value who may answer after an escalation
         * @return this builder
         */
        public Builder escalateTo(List<String> value) {
            this.escalateTo = List.copyOf(value);
            return this;
        }

        /** @return the request */
        public GateRequest build() {
            return new GateRequest(question, options, answerers, timeout, onExpiry, defaultOption, escalateTo);
        }
    }
}
