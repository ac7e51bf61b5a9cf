package dev.agentpipeline.core.internal;

import org.slf4j.MDC;
import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.INTERNAL;

/**
 * MDC entries for the length of a block. Unlike {@link MDC#putCloseable(String, String)}, which removes the key when
 * it closes, a {@link Scope} puts back the value the key had before, so a nested operation (the runtime called by
 * the orchestrator, or either called by an application that set {@code run_id} itself) does not erase its caller's
 * context.
 */
@API(status = INTERNAL, since = "0.1")
public final class Mdc {

    private Mdc() {
    }

    /** An MDC entry set for a block; closing it restores the previous value. Close it on the thread that set it. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Sets an MDC entry until the returned scope is closed.
     *
     * @param key the key
     * @param value the value
     * @return the scope to close
     */
    public static Scope put(String key, String value) {
        String previous = MDC.get(key);
        MDC.put(key, value);
        return () -> {
            if (previous == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, previous);
            }
        };
    }
}
