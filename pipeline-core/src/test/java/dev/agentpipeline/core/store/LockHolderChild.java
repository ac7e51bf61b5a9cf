package dev.agentpipeline.core.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A second process that takes a run's lock in a file store: it prints {@code LOCKED} (or {@code TIMEOUT} when it
 * could not within its timeout), holds the lock until it reads a line on its standard input, then prints
 * {@code RELEASED} and exits.
 *
 * <p>Arguments: the store's root directory, the run id, the lock timeout in milliseconds.
 */
public final class LockHolderChild {

    private LockHolderChild() {
    }

    public static void main(String[] args) throws IOException {
        FileRunStore store = FileRunStore.open(Path.of(args[0]));
        Duration timeout = Duration.ofMillis(Long.parseLong(args[2]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        RunLock lock;
        try {
            lock = store.lock(args[1], timeout);
        } catch (LockTimeoutException e) {
            System.out.println("TIMEOUT");
            System.out.flush();
            return;
        }
        System.out.println("LOCKED");
        System.out.flush();
        in.readLine();
        lock.close();
        System.out.println("RELEASED");
        System.out.flush();
    }
}
