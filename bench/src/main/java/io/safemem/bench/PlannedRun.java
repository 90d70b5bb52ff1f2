package io.safemem.bench;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One JMH run of a plan: some benchmarks of one class over a set of parameters (JMH's parameters
 * are per class, so each run covers one cross product).
 *
 * @param benchmarkClass the class, in this package
 * @param methods        the benchmark methods or groups to run; empty for all of the class
 * @param params         the parameter values to cross; a parameter left out keeps the class's values
 * @param timings        the timings the command line does not replace
 */
record PlannedRun(String benchmarkClass, List<String> methods, Map<String, List<String>> params, Timings timings) {

    /**
     * Copies the lists and the map, keeping the map's order.
     *
     * @param benchmarkClass as above
     * @param methods        as above
     * @param params         as above
     * @param timings        as above
     */
    PlannedRun {
        methods = List.copyOf(methods);
        Map<String, List<String>> copy = new LinkedHashMap<>();
        params.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        params = copy;
    }

    /**
     * The regular expression that selects this run's benchmarks.
     *
     * @return an anchored pattern over JMH's full benchmark names
     */
    String include() {
        String prefix = "^" + Pattern.quote(PlannedRun.class.getPackageName() + "." + benchmarkClass + ".");
        return methods.isEmpty() ? prefix : prefix + "(" + String.join("|", methods) + ")$";
    }

    /**
     * This run's options: the command line's, with this run's benchmarks, its parameters (except
     * those the command line sets, which replace them), this run's timings (likewise) and the GC
     * profiler.
     *
     * @param given the command line's options, the parent of every run
     * @return the options
     */
    Options options(Options given) {
        ChainedOptionsBuilder builder = new OptionsBuilder().parent(given).include(include())
                .addProfiler(GCProfiler.class);
        params.forEach((name, values) -> {
            if (!given.getParameter(name).hasValue()) {
                builder.param(name, values.toArray(String[]::new));
            }
        });
        timings.applyUnlessGiven(builder, given);
        return builder.build();
    }
}
