package dev.agentpipeline.core.testing;

import dev.agentpipeline.core.engine.Sleeper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A {@link Sleeper} that never blocks: it records each requested wait and moves a {@link MutableClock} by it. */
public final class FakeSleeper implements Sleeper {

    private final MutableClock clock;
    private final List<Duration> delays = Collections.synchronizedList(new ArrayList<>());

    public FakeSleeper(MutableClock clock) {
        this.clock = clock;
    }

    @Override
    public void sleep(Duration duration) {
        delays.add(duration);
        clock.advance(duration);
    }

    /** @return every wait requested so far, oldest first */
    public List<Duration> delays() {
        synchronized (delays) {
            return List.copyOf(delays);
        }
    }

    /** @return the sum of the waits requested so far */
    public Duration total() {
        return delays().stream().reduce(Duration.ZERO, Duration::plus);
    }
}
