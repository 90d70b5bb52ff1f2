package io.safemem.bench;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One benchmark's score, as the tables read it.
 *
 * @param benchmark  class and method, e.g. {@code AtomicWriteBench.atomicWrite}; for one thread
 *                   role of a group, the group and the role's method, e.g.
 *                   {@code ContendedBench.safememReadWrite:safememReader}
 * @param params     the run's parameters by name
 * @param score      the primary score
 * @param unit       its unit, e.g. {@code ns/op} or {@code ops/us}
 * @param allocNorm  {@value #ALLOC_NORM} in bytes per operation; NaN when not measured (and for
 *                   the roles of a group, whose allocation is the group's)
 */
public record Measurement(String benchmark, Map<String, String> params, double score, String unit, double allocNorm) {

    /** The GC profiler's allocation per operation. */
    public static final String ALLOC_NORM = "gc.alloc.rate.norm";

    private static final String PACKAGE = Measurement.class.getPackageName() + ".";

    /**
     * Keeps an unmodifiable, sorted copy of the parameters.
     *
     * @param benchmark as above
     * @param params    as above
     * @param score     as above
     * @param unit      as above
     * @param allocNorm as above
     */
    public Measurement {
        params = Collections.unmodifiableMap(new TreeMap<>(params));
    }

    /**
     * The measurements in JMH's results: one per run, and one more per thread role of an
     * asymmetric group (such as a writer and a reader).
     *
     * @param results what the runs returned
     * @return the measurements, in the order of {@code results}
     */
    public static List<Measurement> of(Collection<RunResult> results) {
        List<Measurement> measurements = new ArrayList<>();
        for (RunResult result : results) {
            BenchmarkParams run = result.getParams();
            String name = shortName(run.getBenchmark());
            Map<String, String> params = new TreeMap<>();
            for (String key : run.getParamsKeys()) {
                params.put(key, run.getParam(key));
            }
            Result<?> alloc = result.getSecondaryResults().get(ALLOC_NORM);
            Result<?> primary = result.getPrimaryResult();
            measurements.add(new Measurement(name, params, primary.getScore(), primary.getScoreUnit(),
                    alloc == null ? Double.NaN : alloc.getScore()));
            if (run.getThreadGroupLabels().size() > 1) {
                for (String role : run.getThreadGroupLabels()) {
                    Result<?> part = result.getSecondaryResults().get(role);
                    if (part != null) {
                        measurements.add(new Measurement(name + ":" + role, params, part.getScore(),
                                part.getScoreUnit(), Double.NaN));
                    }
                }
            }
        }
        return measurements;
    }

    /**
     * The name without this package, so that selectors read {@code Class.method}.
     *
     * @param benchmark JMH's full benchmark name
     * @return the name relative to this package
     */
    static String shortName(String benchmark) {
        return benchmark.startsWith(PACKAGE) ? benchmark.substring(PACKAGE.length()) : benchmark;
    }
}
