package dev.agentpipeline.core.definition;

import org.apiguardian.api.API;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * That a state waits for a signal from outside before its transitions are tried (the state's {@code signal:} in
 * YAML). Immutable.
 *
 * <pre>
 * PHASE_7:
 *   stage: pipeline-command       # starts the agent; the agent writes the signal when it is done
 *   signal:
 *     file: phase7-complete.json  # its name in a watched signal directory (optional)
 *     format: phase               # the completion/error signal format; 'json' accepts any object
 *     timeout: 6h                 # pause the run if no signal came by then (optional)
 * </pre>
 * Guards read the signal as {@code signal.PHASE_7.status}, {@code signal.PHASE_7.summary.tests_passing}...
 *
 * @param name the signal's name, unique within the definition; the state's id unless named
 * @param file the signal's file name in a watched signal directory ({@code phase7-complete.json}), or null
 * @param format the format its payload must have ({@link #JSON} or {@link #PHASE})
 * @param timeout how long the state waits before the run pauses, or null to wait until it comes
 * @param location where it was defined
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record SignalSpec(String name, String file, String format, Duration timeout, SourceLocation location) {

    /** Any JSON object. */
    public static final String JSON = "json";
    /** The phase pipeline's completion and error signals ({@code status: success|error}, ...). */
    public static final String PHASE = "phase";

    /** Validates. */
    public SignalSpec {
        Objects.requireNonNull(name, "name");
        format = format == null ? JSON : format;
        Objects.requireNonNull(location, "location");
    }

    /**
     * @param name the signal's name
     * @return a signal of any JSON object, without a file name or timeout
     */
    public static SignalSpec named(String name) {
        return new SignalSpec(name, null, JSON, null, SourceLocation.BUILDER);
    }

    /** @return its file name in a watched signal directory, if it has one */
    public Optional<String> fileName() {
        return Optional.ofNullable(file);
    }
}
