package dev.agentpipeline.core.store;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * A run's files do not agree with its journal, or the journal itself is damaged somewhere other than a torn tail.
 * Nothing was changed; the message says what is wrong and {@link #fix()} how to repair it.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class CorruptRunException extends StoreException {

    private static final long serialVersionUID = 1L;

    /**
     * @param code a stable code ({@code projection_edited}, {@code projection_unreadable}, {@code journal_corrupt},
     *     {@code pointer_unreadable})
     * @param message what is wrong
     * @param fix how to repair it
     */
    public CorruptRunException(String code, String message, String fix) {
        super(code, message, fix, null);
    }
}
