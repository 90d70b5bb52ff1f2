package io.safemem.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RatioTableTest {

    private static final String STANDARD_64 = "atomicWrite STANDARD 64 B / rawCopyCrc";
    private static final String STANDARD_4096 = "atomicWrite STANDARD 4096 B / rawCopyCrc";
    private static final String READER = "1 writer + 1 reader, 64 B: safemem reader / stampedLock reader";
    private static final String ALLOC = "max gc.alloc.rate.norm, safemem benchmarks";

    @Test
    void aRatioIsTheNumeratorOverTheDenominator() {
        Row row = row(RatioTable.standard(), STANDARD_64, List.of(
                write("atomicWrite", "STANDARD", "64", 12.0, 0),
                write("rawCopyCrc", "OFF", "64", 10.0, 0)));

        assertEquals("1.20", row.measured());
        assertEquals("12.0 ns/op", row.left());
        assertEquals("10.0 ns/op", row.right());
        assertEquals("<= 1.50", row.target());
        assertEquals(Verdict.MET, row.verdict());
    }

    @Test
    void aRatioAboveAnAtMostTargetIsMissed() {
        Row row = row(RatioTable.standard(), STANDARD_4096, List.of(
                write("atomicWrite", "STANDARD", "4096", 200.0, 0),
                write("rawCopyCrc", "OFF", "4096", 100.0, 0)));

        assertEquals("2.00", row.measured());
        assertEquals(Verdict.MISSED, row.verdict());
    }

    @Test
    void anAtLeastTargetIsMetFromTheLimitUp() {
        List<Measurement> exactlyEven = List.of(
                new Measurement("ContendedBench.safememReadWrite:safememReader",
                        Map.of("size", "64", "level", "STANDARD", "blockSize", "256"), 5.0, "ops/us", Double.NaN),
                new Measurement("ContendedBench.stampedLockReadWrite:stampedLockReader",
                        Map.of("size", "64", "level", "STANDARD", "blockSize", "256"), 5.0, "ops/us", Double.NaN));
        List<Measurement> slower = List.of(exactlyEven.get(0), new Measurement(
                "ContendedBench.stampedLockReadWrite:stampedLockReader",
                Map.of("size", "64", "level", "STANDARD", "blockSize", "256"), 6.0, "ops/us", Double.NaN));

        assertEquals(Verdict.MET, row(RatioTable.standard(), READER, exactlyEven).verdict());
        assertEquals(Verdict.MISSED, row(RatioTable.standard(), READER, slower).verdict());
    }

    @Test
    void aRowWithAMissingInputIsNotRun() {
        List<Measurement> onlyTheNumerator = List.of(write("atomicWrite", "STANDARD", "64", 12.0, 0));

        Row row = row(RatioTable.standard(), STANDARD_64, onlyTheNumerator);

        assertEquals(Verdict.NOT_RUN, row.verdict());
        assertEquals("not run", row.measured());
        assertEquals("12.0 ns/op", row.left());
        assertEquals("not run", row.right());
    }

    @Test
    void nothingMeasuredRendersEveryRowAsNotRun() {
        RatioTable table = RatioTable.standard();

        List<Row> rows = table.rows(List.of());

        assertEquals(table.targets().size(), rows.size());
        rows.forEach(row -> assertEquals(Verdict.NOT_RUN, row.verdict(), row.what()));
        assertTrue(table.render(List.of()).contains("not run"));
        assertTrue(RatioTable.copyFill().render(List.of()).contains("not run"));
    }

    @Test
    void theAllocationRowNamesTheWorstSafememBenchmarkAndIgnoresBaselines() {
        List<Measurement> measured = new ArrayList<>();
        measured.add(write("atomicWrite", "STANDARD", "64", 12.0, 0.001));
        measured.add(write("borrowAndRead", "FULL", "4096", 40.0, 0.5));
        measured.add(write("optimisticRead", "STANDARD", "64", 15.0, 0.002));
        measured.add(write("rawCopyCrc", "OFF", "64", 10.0, 99.0));
        measured.add(new Measurement("ContendedBench.reentrantLockWriters",
                Map.of("size", "64", "level", "STANDARD"), 3.0, "ops/us", 50.0));

        Row row = row(RatioTable.standard(), ALLOC, measured);

        assertEquals(Verdict.MISSED, row.verdict());
        assertEquals("0.500 B/op", row.measured());
        assertTrue(row.left().startsWith("AtomicWriteBench.borrowAndRead {"), row.left());
        assertTrue(row.left().contains("level=FULL"), row.left());
        assertEquals("of 3 runs", row.right());
    }

    @Test
    void theAllocationRowIsMetWhenEverySafememBenchmarkStaysBelowTheLimit() {
        Row row = row(RatioTable.standard(), ALLOC, List.of(
                write("atomicWrite", "STANDARD", "64", 12.0, 0.004),
                write("rawCopy", "OFF", "64", 4.0, 16.0)));

        assertEquals(Verdict.MET, row.verdict());
        assertTrue(row.left().startsWith("AtomicWriteBench.atomicWrite"), row.left());
    }

    @Test
    void theAllocationRowWithNoSafememMeasurementIsNotRun() {
        Row row = row(RatioTable.standard(), ALLOC, List.of(write("rawCopy", "OFF", "64", 4.0, 0)));

        assertEquals(Verdict.NOT_RUN, row.verdict());
    }

    @Test
    void theProtocolFloorTableSetsTheLibraryAgainstTheHandWrittenProtocolAndTheProtocolAgainstTheJdk() {
        List<Measurement> measured = List.of(
                write("atomicWrite", "STANDARD", "64", 30.0, 0),
                write("rawCopyCrc", "OFF", "64", 10.0, 0),
                protocol("protocolWrite", "64", 20.0));

        Row library = row(RatioTable.protocolFloor(), "atomicWrite STANDARD 64 B / protocolWrite", measured);
        Row protocol = row(RatioTable.protocolFloor(), "protocolWrite 64 B / rawCopyCrc", measured);

        assertEquals("1.50", library.measured());
        assertEquals("2.00", protocol.measured());
        assertEquals(Verdict.NO_TARGET, library.verdict());
        assertEquals(Verdict.NOT_RUN,
                row(RatioTable.protocolFloor(), "optimisticRead STANDARD 64 B / protocolRead", measured).verdict());
    }

    @Test
    void theProtocolFloorIsABaselineNotHeldToTheAllocationLimit() {
        Row row = row(RatioTable.standard(), ALLOC, List.of(
                write("atomicWrite", "STANDARD", "64", 12.0, 0.004),
                protocol("protocolRead", "64", 9.0, 5.0)));

        assertEquals(Verdict.MET, row.verdict());
        assertEquals("of 1 runs", row.right());
    }

    private static Measurement protocol(String method, String size, double nanos) {
        return protocol(method, size, nanos, 0);
    }

    private static Measurement protocol(String method, String size, double nanos, double alloc) {
        return new Measurement("ProtocolFloorBench." + method, Map.of("size", size), nanos, "ns/op", alloc);
    }

    private static Measurement write(String method, String level, String size, double nanos, double alloc) {
        return new Measurement("AtomicWriteBench." + method,
                Map.of("size", size, "level", level, "regionSize", "65536", "blockSize", "256"), nanos, "ns/op", alloc);
    }

    private static Row row(RatioTable table, String what, List<Measurement> measurements) {
        return table.rows(measurements).stream().filter(r -> r.what().equals(what)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + what));
    }
}
