package dev.agentpipeline.spi;

import org.apiguardian.api.API;

import java.util.Objects;

import static org.apiguardian.api.API.Status.STABLE;

/**
 * Why an attempt failed: a {@link FailureClass} and a message for people.
 *
 * @param failureClass the class the retry and loop-health policies act on, never null
 * @param message what went wrong, never null (may be empty)
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record Failure(FailureClass failureClass, String message) {

    /**
     * Creates a failure.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the class is {@link FailureClass#NONE}
     */
    public Failure {
        Objects.requireNonNull(failureClass, "failureClass");
        Objects.requireNonNull(message, "message");
        if (failureClass == FailureClass.NONE) {
            throw new IllegalArgumentException("A failure needs a failure class other than NONE");
        }
    }

    /**
     * A failure of the given class.
     *
     * @param failureClass the class, not {@link FailureClass#NONE}
     * @param message what went wrong
     * @return the failure
     */
    public static Failure of(FailureClass failureClass, String message) {
        return new Failure(failureClass, message);
    }
}
