package io.safemem.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which measurement a table reads: a benchmark by name and the parameters that must match. A
 * parameter left out matches any value (the floors, for instance, ignore {@code level}); when
 * several measurements match, the first is read.
 *
 * @param benchmark name as in {@link Measurement#benchmark()}
 * @param params    the parameters that must match
 */
record Selector(String benchmark, Map<String, String> params) {

    /**
     * Copies the parameters.
     *
     * @param benchmark as above
     * @param params    as above
     */
    Selector {
        params = Map.copyOf(params);
    }

    /**
     * A selector from name and value pairs.
     *
     * @param benchmark   the benchmark
     * @param keyAndValue parameter name, value, name, value, ...
     * @return the selector
     */
    static Selector of(String benchmark, String... keyAndValue) {
        if (keyAndValue.length % 2 != 0) {
            throw new IllegalArgumentException("parameters come in name and value pairs");
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < keyAndValue.length; i += 2) {
            params.put(keyAndValue[i], keyAndValue[i + 1]);
        }
        return new Selector(benchmark, params);
    }

    /**
     * The first matching measurement.
     *
     * @param measurements what was measured
     * @return the match, or empty if this case was not run
     */
    Optional<Measurement> find(List<Measurement> measurements) {
        return measurements.stream().filter(this::matches).findFirst();
    }

    private boolean matches(Measurement measurement) {
        if (!measurement.benchmark().equals(benchmark)) {
            return false;
        }
        for (Map.Entry<String, String> wanted : params.entrySet()) {
            if (!wanted.getValue().equals(measurement.params().get(wanted.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
