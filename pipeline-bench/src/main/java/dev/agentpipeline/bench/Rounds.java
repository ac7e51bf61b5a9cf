package dev.agentpipeline.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the same JMH selection several times in a row and prints, per round, the median of each benchmark and the
 * ratio of two of them; then the median, minimum and maximum of those ratios.
 *
 * <p>Why: on a shared machine the background load drifts over minutes, and JMH measures the benchmarks of a run
 * one after the other, so one long run can put the two sides of a comparison under different loads. Short rounds
 * measure both sides close together; repeating them shows how far the ratio moves.
 *
 * <pre>
 * java -cp pipeline-bench/target/benchmarks.jar dev.agentpipeline.bench.Rounds ROUNDS NUMERATOR DENOMINATOR \
 *     'DurableTransitionBenchmark.(floor|runtimeAdvance)$' -f 1 -wi 1 -w 2s -i 3 -r 2s
 * </pre>
 * NUMERATOR and DENOMINATOR pick a benchmark by a piece of its label ({@code runtimeAdvance},
 * {@code CLI_STATUS}...); labels are the method name followed by the parameters,
 * {@code startAndWait[launcher=auto,program=CLI_STATUS]}. The median of a benchmark is its {@code p0.50} in
 * sample-time mode, the median of its iteration scores in the other modes. The remaining arguments are JMH's.
 */
public final class Rounds {

    private Rounds() {
    }

    /**
     * @param args rounds, numerator, denominator, then JMH's command line
     * @throws Exception if JMH fails or the arguments are wrong
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: Rounds ROUNDS NUMERATOR DENOMINATOR JMH-ARGS...");
            System.exit(2);
        }
        int rounds = Integer.parseInt(args[0]);
        String numerator = args[1];
        String denominator = args[2];
        Options options = new OptionsBuilder()
                .parent(new CommandLineOptions(Arrays.copyOfRange(args, 3, args.length)))
                .verbosity(VerboseMode.SILENT)
                .build();
        List<Double> ratios = new ArrayList<>();
        Map<String, List<Double>> medians = new LinkedHashMap<>();
        String unit = "";
        for (int round = 1; round <= rounds; round++) {
            Collection<RunResult> results = new Runner(options).run();
            Map<String, Double> thisRound = new LinkedHashMap<>();
            for (RunResult result : results) {
                double median = result.getPrimaryResult().getStatistics().getPercentile(50);
                thisRound.put(label(result.getParams()), median);
                unit = result.getPrimaryResult().getScoreUnit();
            }
            thisRound.forEach((label, median) -> medians.computeIfAbsent(label, k -> new ArrayList<>()).add(median));
            double ratio = find(thisRound, numerator) / find(thisRound, denominator);
            ratios.add(ratio);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %2d/%d:", round, rounds));
            thisRound.forEach((label, median) -> line.append(String.format(Locale.ROOT, "  %s %.3f", label, median)));
            line.append(String.format(Locale.ROOT, "  %s  ratio %s/%s %.3f", unit, numerator, denominator, ratio));
            System.out.println(line);
        }
        System.out.println();
        for (Map.Entry<String, List<Double>> entry : medians.entrySet()) {
            List<Double> values = entry.getValue();
            System.out.printf(Locale.ROOT, "%-60s median of round medians %.3f %s (min %.3f, max %.3f)%n",
                    entry.getKey(), median(values), unit, Collections.min(values), Collections.max(values));
        }
        System.out.printf(Locale.ROOT, "ratio %s/%s over %d rounds: median %.3f (min %.3f, max %.3f)%n",
                numerator, denominator, rounds, median(ratios), Collections.min(ratios), Collections.max(ratios));
    }

    private static String label(BenchmarkParams params) {
        String benchmark = params.getBenchmark();
        StringBuilder label = new StringBuilder(benchmark.substring(benchmark.lastIndexOf('.') + 1));
        if (!params.getParamsKeys().isEmpty()) {
            label.append('[');
            for (String key : params.getParamsKeys()) {
                label.append(label.charAt(label.length() - 1) == '[' ? "" : ",")
                        .append(key).append('=').append(params.getParam(key));
            }
            label.append(']');
        }
        return label.toString();
    }

    private static double find(Map<String, Double> medians, String piece) {
        List<String> matches = new ArrayList<>();
        for (String label : medians.keySet()) {
            if (label.equals(piece)) {
                return medians.get(label);
            }
            if (label.contains(piece)) {
                matches.add(label);
            }
        }
        if (matches.size() != 1) {
            throw new IllegalArgumentException("'" + piece + "' matches " + (matches.isEmpty() ? "no benchmark"
                    : matches) + " among " + medians.keySet());
        }
        return medians.get(matches.get(0));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
