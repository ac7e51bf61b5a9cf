package dev.agentpipeline.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A cross-check of {@link DurableTransitionBenchmark} that background load cannot skew: it measures
 * its five operations ({@code runtimeAdvance}, {@code storeAppend}, the two raw breakdowns and {@code floor})
 * interleaved, a few milliseconds apart, instead of one after the other for seconds each as JMH does.
 *
 * <p>Each cycle runs every side twice in a row, in an order that rotates from cycle to cycle, and times only the
 * second run: the first (untimed) run's force commits whatever the previous side left in the file system's journal,
 * so the timed run starts from its own steady state, as in JMH. After a warm-up of the same code, it prints each
 * side's median and 90th percentile, and the ratio of medians to the floor over the whole run and per tenth of it
 * (so a drift shows as a spread). This is not a JMH benchmark: no forks, one JVM; use it to check a ratio that JMH's
 * sequential measurement makes doubtful, not instead of it.
 *
 * <pre>
 * java -cp pipeline-bench/target/benchmarks.jar dev.agentpipeline.bench.InterleavedDurable 120
 * </pre>
 * The argument is the measurement time in seconds (default 60); {@code -Dbench.dir} works as in the benchmark.
 */
public final class InterleavedDurable {

    private InterleavedDurable() {
    }

    private interface Side {
        void run() throws Exception;
    }

    /**
     * @param args the measurement time in seconds
     * @throws Exception if the disk fails
     */
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 60;
        DurableTransitionBenchmark benchmark = new DurableTransitionBenchmark();
        DurableTransitionBenchmark.Floor floor = new DurableTransitionBenchmark.Floor();
        DurableTransitionBenchmark.Runtime runtime = new DurableTransitionBenchmark.Runtime();
        DurableTransitionBenchmark.Store store = new DurableTransitionBenchmark.Store();
        DurableTransitionBenchmark.Journal journal = new DurableTransitionBenchmark.Journal();
        DurableTransitionBenchmark.Journal journalAndProjection = new DurableTransitionBenchmark.Journal();
        floor.setUp();
        runtime.setUp();
        store.setUp();
        journal.setUp();
        journalAndProjection.setUp();
        String[] names = {"runtimeAdvance", "storeAppend", "rawJournalAppend", "rawJournalAppendAndRename", "floor"};
        Side[] sides = {() -> benchmark.runtimeAdvance(runtime), () -> benchmark.storeAppend(store),
                () -> benchmark.rawJournalAppend(journal),
                () -> benchmark.rawJournalAppendAndRename(journalAndProjection), () -> benchmark.floor(floor)};
        try {
            long warmUntil = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < warmUntil) {
                for (Side side : sides) {
                    side.run();
                }
            }
            List<long[]> cycles = new ArrayList<>();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            for (int cycle = 0; System.nanoTime() < end; cycle++) {
                long[] times = new long[sides.length];
                for (int k = 0; k < sides.length; k++) {
                    int s = (cycle + k) % sides.length;
                    sides[s].run(); // settle: commits what the previous side left behind
                    long start = System.nanoTime();
                    sides[s].run();
                    times[s] = System.nanoTime() - start;
                }
                cycles.add(times);
            }
            report(names, cycles);
        } finally {
            runtime.tearDown();
            store.tearDown();
            journal.tearDown();
            journalAndProjection.tearDown();
            floor.tearDown();
        }
    }

    private static void report(String[] names, List<long[]> cycles) {
        int floorIndex = names.length - 1;
        System.out.printf(Locale.ROOT, "%d cycles (each side timed once per cycle)%n", cycles.size());
        double floorMedian = percentile(cycles, floorIndex, 0, cycles.size(), 0.5);
        for (int s = 0; s < names.length; s++) {
            double median = percentile(cycles, s, 0, cycles.size(), 0.5);
            System.out.printf(Locale.ROOT, "%-26s p50 %8.1f us   p90 %8.1f us   p50/floor p50 %.3f%n", names[s],
                    median / 1e3, percentile(cycles, s, 0, cycles.size(), 0.9) / 1e3, median / floorMedian);
        }
        int blocks = 10;
        int size = cycles.size() / blocks;
        if (size < 20) {
            return;
        }
        for (int s = 0; s < floorIndex; s++) {
            double[] ratios = new double[blocks];
            for (int b = 0; b < blocks; b++) {
                ratios[b] = percentile(cycles, s, b * size, (b + 1) * size, 0.5)
                        / percentile(cycles, floorIndex, b * size, (b + 1) * size, 0.5);
            }
            StringBuilder line = new StringBuilder();
            for (double ratio : ratios) {
                line.append(String.format(Locale.ROOT, " %.2f", ratio));
            }
            Arrays.sort(ratios);
            System.out.printf(Locale.ROOT, "%-26s p50/floor p50 per tenth:%s (min %.2f, max %.2f)%n", names[s], line,
                    ratios[0], ratios[blocks - 1]);
        }
    }

    private static double percentile(List<long[]> cycles, int side, int from, int to, double p) {
        long[] values = new long[to - from];
        for (int i = from; i < to; i++) {
            values[i - from] = cycles.get(i)[side];
        }
        Arrays.sort(values);
        return values[(int) Math.min(values.length - 1, Math.floor(p * values.length))];
    }
}
