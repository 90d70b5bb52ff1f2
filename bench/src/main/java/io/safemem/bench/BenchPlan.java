package io.safemem.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The runs each mode of {@link BenchMain} makes, in order. */
final class BenchPlan {

    private static final String WRITE = "AtomicWriteBench";
    private static final List<String> LEVELS = List.of("OFF", "STANDARD", "FULL");
    private static final List<String> REGIONS = List.of("65536", "1073741824");
    /** The record sizes whose operations are short enough for {@link Timings#FULL}. */
    private static final List<String> SMALL_SIZES = List.of("64", "4096");
    private static final List<String> SWEEP_BLOCK_SIZES = List.of("64", "128", "256", "512", "1024", "4096");

    private BenchPlan() {
    }

    /**
     * The plan of {@code full}: {@link #sized} at 64 B and 4 KiB, then at 64 KiB with
     * {@link Timings#LONG_OPERATIONS}, then {@link #unsized} with {@link HandlerWriteBench}.
     *
     * @return the runs
     */
    static List<PlannedRun> full() {
        List<PlannedRun> runs = new ArrayList<>(sized(SMALL_SIZES, Timings.FULL));
        runs.addAll(sized(List.of("65536"), Timings.LONG_OPERATIONS));
        runs.addAll(unsized(true, Timings.FULL));
        return runs;
    }

    /**
     * The plan of {@code quick}: {@link #sized} at 64 B and 4 KiB, then {@link #unsized} without
     * {@link HandlerWriteBench}, all with {@link Timings#QUICK}.
     *
     * @return the runs
     */
    static List<PlannedRun> quick() {
        List<PlannedRun> runs = new ArrayList<>(sized(SMALL_SIZES, Timings.QUICK));
        runs.addAll(unsized(false, Timings.QUICK));
        return runs;
    }

    /**
     * The runs over record sizes: {@link AtomicWriteBench} (its floors once, at level {@code OFF},
     * which they ignore) and {@link ProtocolFloorBench}.
     */
    private static List<PlannedRun> sized(List<String> sizes, Timings timings) {
        List<PlannedRun> runs = new ArrayList<>();
        runs.add(new PlannedRun(WRITE, List.of("rawCopy", "rawCopyCrc", "fullRecompute"),
                Map.of("size", sizes, "level", List.of("OFF"), "regionSize", REGIONS), timings));
        runs.add(new PlannedRun(WRITE, List.of("atomicWrite", "optimisticRead", "borrowAndRead"),
                Map.of("size", sizes, "level", LEVELS, "regionSize", REGIONS), timings));
        unalignedBySize(sizes).forEach((regions, fitting) -> runs.add(new PlannedRun(WRITE,
                List.of("atomicWriteUnaligned"), Map.of("size", fitting, "level", LEVELS, "regionSize", regions),
                timings)));
        runs.add(new PlannedRun("ProtocolFloorBench", List.of("protocolWrite", "protocolRead"), Map.of("size", sizes),
                timings));
        return runs;
    }

    /**
     * The runs at their classes' own sizes: {@link ContendedBench}, {@link CopyFillBench} (its
     * baselines once) and, if asked, {@link HandlerWriteBench} at 64 B and 4 KiB.
     */
    private static List<PlannedRun> unsized(boolean handler, Timings timings) {
        List<PlannedRun> runs = new ArrayList<>();
        runs.add(new PlannedRun("ContendedBench", List.of(), Map.of(), timings));
        runs.add(new PlannedRun("CopyFillBench", List.of("atomicCopyWithin", "atomicFill"), Map.of(), timings));
        runs.add(new PlannedRun("CopyFillBench", List.of("rawCopy", "agronaPutBytes", "agronaSetMemory"),
                Map.of("level", List.of("OFF")), timings));
        if (handler) {
            runs.add(new PlannedRun("HandlerWriteBench", List.of(), Map.of("size", SMALL_SIZES), timings));
        }
        return runs;
    }

    /**
     * The plan of {@code sweep}: {@link AtomicWriteBench} at {@code STANDARD} in a 64 KiB region at
     * each block size of the sweep, and the {@code rawCopyCrc} floor once, all with
     * {@link Timings#FULL}.
     *
     * @return the runs
     */
    static List<PlannedRun> sweep() {
        List<String> region = List.of("65536");
        List<String> standard = List.of("STANDARD");
        return List.of(
                new PlannedRun(WRITE, List.of("atomicWrite", "atomicWriteUnaligned"), Map.of("size",
                        SMALL_SIZES, "level", standard, "regionSize", region, "blockSize", SWEEP_BLOCK_SIZES),
                        Timings.FULL),
                new PlannedRun(WRITE, List.of("optimisticRead"), Map.of("size", List.of("64"), "level", standard,
                        "regionSize", region, "blockSize", SWEEP_BLOCK_SIZES), Timings.FULL),
                new PlannedRun(WRITE, List.of("rawCopyCrc"), Map.of("size", SMALL_SIZES, "level", standard,
                        "regionSize", region), Timings.FULL));
    }

    /**
     * The sizes of an unaligned write grouped by the regions it fits in: it straddles a block edge
     * near the region's middle, so a region must be larger than the write.
     */
    private static Map<List<String>, List<String>> unalignedBySize(List<String> sizes) {
        Map<List<String>, List<String>> sizesByRegions = new LinkedHashMap<>();
        for (String size : sizes) {
            List<String> regions = REGIONS.stream().filter(r -> Long.parseLong(r) > Long.parseLong(size)).toList();
            sizesByRegions.computeIfAbsent(regions, r -> new ArrayList<>()).add(size);
        }
        return sizesByRegions;
    }
}
