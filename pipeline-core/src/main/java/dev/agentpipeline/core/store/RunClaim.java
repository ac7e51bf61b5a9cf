package dev.agentpipeline.core.store;

import org.apiguardian.api.API;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

/**
 * The exclusive right to drive a run (run its stages, fire its timers, move it), held by one driver at a time across
 * threads and processes, for as long as it drives. Unlike a {@link RunLock}, which guards one read-decide-append
 * and is held for milliseconds, a claim is held while a stage runs, so other callers (a person's {@code pause}, a
 * signal, {@code status}) are never blocked by it. Release it with {@link #close()}, from the thread that took it.
 *
 * <pre>{@code
 * Optional<RunClaim> claim = store.tryClaim(runId);
 * if (claim.isPresent()) {
 *     try (RunClaim held = claim.get()) {
 *         // drive the run
 *     }
 * }
 * }</pre>
 *
 * <p>A store shared by several machines implements it as a lease with a heartbeat and a fencing token (every
 * append of the holder checks the token, so a holder whose lease was taken over cannot write); the file store
 * uses an OS file lock, which the operating system releases when the holding process dies.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface RunClaim extends AutoCloseable {

    /**
     * @return the claim's fencing token: larger for every new claim of the run in stores whose claims can outlive
     *     their holder (leases); 0 in stores whose claims end with the holder's process (the file store)
     */
    long token();

    /**
     * Gives the claim up.
     *
     * @throws IllegalStateException if called from a thread other than the one that took it
     */
    @Override
    void close();
}
