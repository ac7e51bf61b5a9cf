package dev.agentpipeline.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/** A clock that stands still until a test moves it. Thread-safe. */
public final class MutableClock extends Clock {

    /** The instant every fresh clock starts at. */
    public static final Instant START = Instant.parse("2026-01-05T09:00:00Z");

    private volatile Instant now;

    public MutableClock() {
        this(START);
    }

    public MutableClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /** @param duration how far to move forward, not negative */
    public synchronized void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time does not run backwards: " + duration);
        }
        now = now.plus(duration);
    }

    /** @param instant the new time */
    public void set(Instant instant) {
        now = Objects.requireNonNull(instant, "instant");
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("MutableClock is always UTC");
    }

    @Override
    public String toString() {
        return "MutableClock[" + now + "]";
    }
}
