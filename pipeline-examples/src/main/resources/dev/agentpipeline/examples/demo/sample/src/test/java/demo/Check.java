package demo;

import java.util.Objects;

/** The sample project's assertions: each throws an AssertionError when what it checks does not hold. */
final class Check {
    private Check() {
    }

    static void equal(Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError("expected <" + expected + "> but was <" + actual + ">");
        }
    }

    static void rejects(Class<? extends Throwable> expected, Runnable code) {
        try {
            code.run();
        } catch (Throwable thrown) {
            if (expected.isInstance(thrown)) {
                return;
            }
            throw new AssertionError("expected " + expected.getName() + " but got " + thrown, thrown);
        }
        throw new AssertionError("expected " + expected.getName() + " but nothing was thrown");
    }
}
