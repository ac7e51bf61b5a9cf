package dev.agentpipeline.stages;

import org.apiguardian.api.API;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The settings of a {@link CommandStage}: which program to run with which arguments, the prompt, the time limits,
 * the environment and whether the program must write a stage summary. Immutable; validated when built or parsed.
 *
 * <p>In a pipeline definition they are the state's {@code settings:} (YAML or JSON values):
 * <pre>
 * STAGE_2:
 *   stage: pipeline-command
 *   settings:
 *     command: ["./agents/implement.sh", "{story_id}", "{summary_file}"]
 *     prompt: "Implement story {story_id}. Focus: {rework_focus}"
 *     stdin: prompt                    # none (default) or prompt
 *     timeout_seconds: 1800            # default 3600
 *     idle_timeout_seconds: 300        # no output for this long: timeout_idle; default 600
 *     env_allow: [ANTHROPIC_API_KEY]   # passed through besides PATH, HOME, LANG...
 *     env: {AGENT_MODE: "ci"}          # set, templates allowed
 *     summary: required                # required (default) or optional
 * </pre>
 * and in Java, with the same validation:
 * <pre>{@code
 * Map<String, Object> settings = CommandSettings.builder("./agents/implement.sh", "{story_id}", "{summary_file}")
 *         .timeout(Duration.ofMinutes(30))
 *         .build()
 *         .toMap();
 * PipelineDefinition definition = StoryPipeline.definition().withStagePlugin("STAGE_2", CommandStage.ID, settings);
 * }</pre>
 *
 * <p>Arguments, the prompt and {@code env} values are {@linkplain #VARIABLES templates}: {@code {name}} is replaced
 * by a value of the run, {@code {{} and {@code }}} stand for literal braces; each argument stays one argument,
 * whatever its value holds (nothing is split or passed through a shell). A placeholder that is not a known variable
 * is an error here, before any program starts.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class CommandSettings {

    /**
     * The template variables: the run ({@code run_id}, {@code pipeline}, {@code story_id} = {@code subject_id},
     * {@code story_title} = {@code subject_title}), the attempt ({@code stage} - the state id, {@code stage_number} -
     * its trailing digits, {@code attempt}, {@code visit}, {@code attempt_id}), the files ({@code workspace},
     * {@code attempt_dir}, {@code summary_file}, {@code stdout_file}, {@code stderr_file}, {@code prompt_file}), the
     * prompt ({@code prompt}), the story's inputs ({@code rework_focus}, {@code rework_hint},
     * {@code business_answers}, {@code inputs} - all of them as JSON), any one input as {@code input.NAME}, and the
     * progress saved in the visit before this attempt ({@code progress} as JSON, {@code progress_file} the file
     * holding it, {@code resume_command} its {@code resume_command} field): what a re-run after a crash resumes from.
     * Inputs that are not text are inserted as compact JSON; a missing one as the empty string.
     */
    public static final Set<String> VARIABLES = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            "run_id", "pipeline", "story_id", "story_title", "subject_id", "subject_title", "stage", "stage_number",
            "attempt", "visit", "attempt_id", "workspace", "attempt_dir", "summary_file", "stdout_file", "stderr_file",
            "prompt_file", "prompt", "rework_focus", "rework_hint", "business_answers", "inputs", "progress",
            "progress_file", "resume_command")));

    /** The variables passed from the stage's environment by default; {@code env_allow} adds more. */
    public static final List<String> DEFAULT_ENV_ALLOW = List.of("PATH", "HOME", "USER", "LOGNAME", "LANG",
            "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TERM");

    /** The default time limit of one attempt. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);
    /** The default limit of a silence: no new output on stdout or stderr for this long ends the attempt. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

    /** How the prompt reaches the program besides the {@code {prompt}} and {@code {prompt_file}} variables. */
    public enum Stdin {
        /** The program's standard input is empty. */
        NONE,
        /** The rendered prompt is the program's standard input. */
        PROMPT
    }

    /** Whether the program must write the stage summary envelope to {@code {summary_file}}. */
    public enum Summary {
        /** Exiting with 0 without a summary is a failed attempt. */
        REQUIRED,
        /** Without a summary, exit 0 is a completed outcome without a verdict. */
        OPTIONAL
    }

    private static final Set<String> KEYS = Set.of("command", "prompt", "stdin", "timeout_seconds",
            "idle_timeout_seconds", "env_allow", "env", "summary");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String RESERVED_ENV_PREFIX = "PIPELINE_";

    private final List<String> command;
    private final String prompt;
    private final Stdin stdin;
    private final Duration timeout;
    private final Duration idleTimeout;
    private final List<String> envAllow;
    private final Map<String, String> env;
    private final Summary summary;

    private CommandSettings(Builder builder) {
        this.command = List.copyOf(builder.command);
        this.prompt = builder.prompt;
        this.stdin = builder.stdin;
        this.timeout = builder.timeout;
        this.idleTimeout = builder.idleTimeout;
        this.envAllow = List.copyOf(builder.envAllow);
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(builder.env));
        this.summary = builder.summary;
    }

    /**
     * Starts settings for a program.
     *
     * @param program the program: a name found on the {@code PATH}, or a path (relative to the workspace)
     * @param arguments its arguments, templates
     * @return a builder, never null
     */
    public static Builder builder(String program, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(program);
        command.addAll(List.of(arguments));
        return new Builder(command);
    }

    /**
     * Reads settings from a definition's {@code settings:} values.
     *
     * @param settings JSON-compatible values, as {@code StageContext.settings()} gives them
     * @return the settings
     * @throws IllegalArgumentException naming the setting that is wrong and what it must be
     */
    public static CommandSettings parse(Map<String, ?> settings) {
        Objects.requireNonNull(settings, "settings");
        for (String key : settings.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown setting '" + key + "'; the settings of "
                        + CommandStage.ID + " are " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        Object command = settings.get("command");
        if (!(command instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException("setting 'command' must be a non-empty list: the program and its"
                    + " arguments, for example [\"./agents/implement.sh\", \"{story_id}\"]; got " + describe(command));
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Object part = list.get(i);
            if (!(part instanceof String || part instanceof Number || part instanceof Boolean)) {
                throw new IllegalArgumentException("setting 'command[" + i + "]' must be a string, got "
                        + describe(part));
            }
            parts.add(part.toString());
        }
        Builder builder = new Builder(parts);
        if (settings.get("prompt") != null) {
            builder.prompt(string(settings, "prompt"));
        }
        if (settings.get("stdin") != null) {
            builder.stdin(choice(Stdin.class, settings, "stdin"));
        }
        if (settings.get("timeout_seconds") != null) {
            builder.timeout(seconds(settings, "timeout_seconds"));
        }
        if (settings.get("idle_timeout_seconds") != null) {
            builder.idleTimeout(seconds(settings, "idle_timeout_seconds"));
        }
        Object allow = settings.get("env_allow");
        if (allow != null) {
            if (!(allow instanceof List<?> names)) {
                throw new IllegalArgumentException("setting 'env_allow' must be a list of variable names, got "
                        + describe(allow));
            }
            for (Object name : names) {
                builder.allowEnv(String.valueOf(name));
            }
        }
        Object env = settings.get("env");
        if (env != null) {
            if (!(env instanceof Map<?, ?> values)) {
                throw new IllegalArgumentException("setting 'env' must be a mapping of variable names to values, got "
                        + describe(env));
            }
            values.forEach((name, value) -> {
                if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
                    throw new IllegalArgumentException("setting 'env." + name + "' must be a string, got "
                            + describe(value));
                }
                builder.env(String.valueOf(name), value.toString());
            });
        }
        if (settings.get("summary") != null) {
            builder.summary(choice(Summary.class, settings, "summary"));
        }
        return builder.build();
    }

    /** @return the program and its arguments, templates, never empty */
    public List<String> command() {
        return command;
    }

    /** @return the prompt template, empty when there is none */
    public String prompt() {
        return prompt;
    }

    /** @return what the program reads on its standard input */
    public Stdin stdin() {
        return stdin;
    }

    /** @return the time limit of one attempt */
    public Duration timeout() {
        return timeout;
    }

    /** @return how long the program may write nothing before the attempt ends as {@code timeout_idle} */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** @return the names of the variables passed from the stage's environment: the defaults and {@code env_allow} */
    public List<String> envAllow() {
        return envAllow;
    }

    /** @return variables to set, templates */
    public Map<String, String> env() {
        return env;
    }

    /** @return whether the program must write a summary */
    public Summary summary() {
        return summary;
    }

    /**
     * The settings as a definition holds them, to pass to {@code withStagePlugin(state, plugin, settings)}.
     *
     * @return JSON-compatible values that {@link #parse(Map)} reads back to equal settings
     */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("command", command);
        if (!prompt.isEmpty()) {
            map.put("prompt", prompt);
        }
        map.put("stdin", stdin.name().toLowerCase(Locale.ROOT));
        map.put("timeout_seconds", timeout.toMillis() / 1000.0);
        map.put("idle_timeout_seconds", idleTimeout.toMillis() / 1000.0);
        List<String> extra = envAllow.stream().filter(name -> !DEFAULT_ENV_ALLOW.contains(name)).toList();
        if (!extra.isEmpty()) {
            map.put("env_allow", extra);
        }
        if (!env.isEmpty()) {
            map.put("env", env);
        }
        map.put("summary", summary.name().toLowerCase(Locale.ROOT));
        return map;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CommandSettings that && command.equals(that.command) && prompt.equals(that.prompt)
                && stdin == that.stdin && timeout.equals(that.timeout) && idleTimeout.equals(that.idleTimeout)
                && envAllow.equals(that.envAllow) && env.equals(that.env) && summary == that.summary;
    }

    @Override
    public int hashCode() {
        return Objects.hash(command, prompt, stdin, timeout, idleTimeout, envAllow, env, summary);
    }

    @Override
    public String toString() {
        return "CommandSettings" + toMap();
    }

    private static String string(Map<String, ?> settings, String key) {
        Object value = settings.get(key);
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException("setting '" + key + "' must be a string, got " + describe(value));
        }
        return text;
    }

    private static <E extends Enum<E>> E choice(Class<E> type, Map<String, ?> settings, String key) {
        String text = string(settings, key);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(text.trim())) {
                return constant;
            }
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("setting '" + key + "' must be one of " + String.join(", ", names)
                + ", got \"" + text + "\"");
    }

    private static Duration seconds(Map<String, ?> settings, String key) {
        Object value = settings.get(key);
        if (!(value instanceof Number number) || !(number.doubleValue() > 0)
                || number.doubleValue() > 7 * 24 * 3600) {
            throw new IllegalArgumentException("setting '" + key + "' must be a number of seconds above 0 and at"
                    + " most 604800 (a week), got " + describe(value));
        }
        return Duration.ofMillis(Math.max(1, Math.round(number.doubleValue() * 1000)));
    }

    static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof String text) {
            return "\"" + text + "\"";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        return value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + value;
    }

    /**
     * Builds {@link CommandSettings}. Not thread-safe; {@link #build()} validates and copies.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final List<String> command;
        private String prompt = "";
        private Stdin stdin = Stdin.NONE;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private final List<String> envAllow = new ArrayList<>(DEFAULT_ENV_ALLOW);
        private final Map<String, String> env = new LinkedHashMap<>();
        private Summary summary = Summary.REQUIRED;

        private Builder(List<String> command) {
            this.command = new ArrayList<>(command);
        }

        /**
         * @param template the prompt, a template; available as {@code {prompt}}, in {@code {prompt_file}}, and on
         *     stdin with {@link #stdin(Stdin)}
         * @return this builder
         */
        public Builder prompt(String template) {
            this.prompt = Objects.requireNonNull(template, "template");
            return this;
        }

        /**
         * @param value what the program reads on its standard input
         * @return this builder
         */
        public Builder stdin(Stdin value) {
            this.stdin = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @param value the time limit of one attempt; the attempt then fails as {@code timeout_productive}
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder timeout(Duration value) {
            this.timeout = positive("timeout", value);
            return this;
        }

        /**
         * @param value how long the program may write nothing; the attempt then fails as {@code timeout_idle}
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = positive("idle timeout", value);
            return this;
        }

        /**
         * @param name a variable to pass from the stage's environment, for example {@code ANTHROPIC_API_KEY}
         * @return this builder
         * @throws IllegalArgumentException if it is not a variable name or starts with {@code PIPELINE_}
         */
        public Builder allowEnv(String name) {
            checkEnvName("env_allow", name);
            if (!envAllow.contains(name)) {
                envAllow.add(name);
            }
            return this;
        }

        /**
         * @param name a variable to set
         * @param template its value, a template
         * @return this builder
         * @throws IllegalArgumentException if it is not a variable name or starts with {@code PIPELINE_}
         */
        public Builder env(String name, String template) {
            checkEnvName("env", name);
            env.put(name, Objects.requireNonNull(template, "template"));
            return this;
        }

        /**
         * @param value whether the program must write the stage summary envelope
         * @return this builder
         */
        public Builder summary(Summary value) {
            this.summary = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * @return the settings
         * @throws IllegalArgumentException if the program is blank or a template names an unknown variable
         */
        public CommandSettings build() {
            if (command.isEmpty() || command.get(0) == null || command.get(0).isBlank()) {
                throw new IllegalArgumentException("setting 'command' must start with the program to run, got "
                        + (command.isEmpty() ? "nothing" : describe(command.get(0))));
            }
            for (int i = 0; i < command.size(); i++) {
                Template.check(Objects.requireNonNull(command.get(i), "command"), "command[" + i + "]");
            }
            Template.check(prompt, "prompt");
            env.forEach((name, value) -> Template.check(value, "env." + name));
            return new CommandSettings(this);
        }

        private static Duration positive(String what, Duration value) {
            Objects.requireNonNull(value, what);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("The " + what + " must be positive, got " + value);
            }
            return value;
        }

        private static void checkEnvName(String setting, String name) {
            if (name == null || !ENV_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("setting '" + setting + "' names '" + name + "', which is not an"
                        + " environment variable name (letters, digits and '_', not starting with a digit)");
            }
            if (name.startsWith(RESERVED_ENV_PREFIX)) {
                throw new IllegalArgumentException("setting '" + setting + "' names " + name + ", but the prefix "
                        + RESERVED_ENV_PREFIX + " is reserved for the variables the stage sets itself");
            }
        }
    }
}
