package io.safemem.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class BenchPlanTest {

    private static final String LARGE = "65536";

    @Test
    void theFullPlanGivesEveryRunAt64KiBLongIterationsAndNoOtherRun() {
        for (PlannedRun run : BenchPlan.full()) {
            List<String> sizes = run.params().getOrDefault("size", List.of());
            if (sizes.contains(LARGE)) {
                assertEquals(List.of(LARGE), sizes, run::toString);
                assertEquals(Timings.LONG_OPERATIONS, run.timings(), run::toString);
            } else {
                assertEquals(Timings.FULL, run.timings(), run::toString);
            }
        }
    }

    @Test
    void theFullPlanStillCoversEverySizeOfTheWriteBenchmarks() {
        Set<String> sizes = BenchPlan.full().stream()
                .filter(run -> run.benchmarkClass().equals("AtomicWriteBench")
                        && run.methods().contains("atomicWrite"))
                .flatMap(run -> run.params().get("size").stream())
                .collect(Collectors.toSet());

        assertEquals(Set.of("64", "4096", LARGE), sizes);
    }

    @Test
    void theQuickPlanIsShortEverywhereAndSkips64KiB() {
        for (PlannedRun run : BenchPlan.quick()) {
            assertEquals(Timings.QUICK, run.timings(), run::toString);
            assertFalse(run.params().getOrDefault("size", List.of()).contains(LARGE), run::toString);
        }
    }
}
