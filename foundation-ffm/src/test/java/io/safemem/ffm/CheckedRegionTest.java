package io.safemem.ffm;

import io.safemem.ErrorCode;
import io.safemem.IntegrityException;
import io.safemem.MemoryStatistics;
import io.safemem.StateException;
import io.safemem.VerificationLevel;
import io.safemem.ffm.internal.RawRegionAccess;
import io.safemem.ffm.testing.FaultInjector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Examples of building a checked region: defaults, geometry, a clean start, names, statistics, ownership. */
class CheckedRegionTest {

    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);

    FixedArena arena;

    @BeforeEach
    void setUp() {
        arena = FixedArena.ofShared(1 << 20);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    static int crc32c(byte[] bytes, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, off, len);
        return (int) crc.getValue();
    }

    @Test
    void builderDefaults() {
        assertEquals(64, CheckedRegion.DEFAULT_BLOCK_SIZE);
        assertEquals(0.1, CheckedRegion.DEFAULT_SAMPLING_RATE);
        assertEquals(16, CheckedRegion.MIN_BLOCK_SIZE);
        assertEquals(65536, CheckedRegion.MAX_BLOCK_SIZE);

        CheckedRegion region = CheckedRegion.builder(arena, 10_000).build();
        assertEquals(64, region.blockSize());
        assertEquals(VerificationLevel.STANDARD, region.verificationLevel());
        assertEquals(0.1, region.samplingRate);
        assertEquals(CheckedRegion.DEFAULT_SAMPLING_SEED, region.samplingSeed);
        assertEquals(10_000, region.capacity());
    }

    @Test
    void builderSettingsAreKept() {
        CheckedRegion.Builder builder = CheckedRegion.builder(arena, 5000);
        assertSame(builder, builder.name("orders"));
        assertSame(builder, builder.blockSize(64));
        assertSame(builder, builder.verificationLevel(VerificationLevel.SAMPLING));
        assertSame(builder, builder.samplingRate(0.25));
        assertSame(builder, builder.samplingSeed(-7));
        CheckedRegion region = builder.build();
        assertEquals("orders", region.name());
        assertEquals(64, region.blockSize());
        assertEquals(VerificationLevel.SAMPLING, region.verificationLevel());
        assertEquals(0.25, region.samplingRate);
        assertEquals(-7, region.samplingSeed);
    }

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void everyLevelCanBeChosen(VerificationLevel level) {
        CheckedRegion region = CheckedRegion.builder(arena, 1024).verificationLevel(level).build();
        assertEquals(level, region.verificationLevel());
        region.handler().verifyIntegrity();
    }

    @ParameterizedTest(name = "capacity {0}, block {1} -> {2} blocks")
    @CsvSource({
            "1, 16, 1",
            "16, 16, 1",
            "17, 16, 2",
            "1, 256, 1",
            "255, 256, 1",
            "256, 256, 1",
            "257, 256, 2",
            "4000, 256, 16",
            "4096, 256, 16",
            "65536, 4096, 16",
            "65537, 4096, 17",
            "100, 65536, 1",
            "131072, 65536, 2",
    })
    void geometry(long capacity, int blockSize, long blocks) {
        long usedBefore = arena.used();
        CheckedRegion region = CheckedRegion.builder(arena, capacity).blockSize(blockSize).build();
        assertEquals(capacity, region.capacity());
        assertEquals(blockSize, region.blockSize());
        assertEquals(blocks, region.blockCount());
        assertEquals((capacity + blockSize - 1) / blockSize, region.blockCount(), "ceil(capacity / blockSize)");

        MemorySegment data = RawRegionAccess.accessor().data(region);
        MemorySegment sums = RawRegionAccess.accessor().checksums(region);
        assertEquals(blocks * blockSize, data.byteSize(), "data is padded to whole blocks");
        assertEquals(blocks * Integer.BYTES, sums.byteSize(), "one int checksum per block");
        assertEquals(0, data.address() % Math.min(blockSize, 4096), "data aligned to its block size (up to a page)");
        long footprint = CheckedRegion.HEADER_BYTES + blocks * Integer.BYTES + blocks * blockSize;
        assertTrue(arena.used() - usedBefore >= footprint, "header, table and data all come out of the arena");
        assertTrue(arena.used() - usedBefore < footprint + Math.max(blockSize, 64) + 4096, "and little more than that");
    }

    @Test
    void exactFootprintOfAPageSizedRegion() {
        // header 64 + table 15 * 4 = 124, data aligned to 256: starts at 256; 15 blocks of 256 end at 4096
        try (FixedArena page = FixedArena.ofShared(4096)) {
            CheckedRegion region = CheckedRegion.builder(page, 15 * 256).blockSize(256).build();
            assertEquals(4096, page.used());
            assertEquals(15, region.blockCount());
        }
    }

    @ParameterizedTest
    @EnumSource(VerificationLevel.class)
    void freshRegionIsZeroAndVerifiesClean(VerificationLevel level) {
        CheckedRegion region = CheckedRegion.builder(arena, 3000).blockSize(128).verificationLevel(level).build();
        SafeMemoryHandler memory = region.handler();
        memory.verifyIntegrity();
        memory.verifyRange(0, 3000);
        assertEquals(-1, memory.findCorruptBlock(0));

        byte[] data = RawRegionAccess.accessor().data(region).toArray(ValueLayout.JAVA_BYTE);
        assertArrayEquals(new byte[data.length], data, "a fresh region is zero-filled, padding included");
        MemorySegment sums = RawRegionAccess.accessor().checksums(region);
        int zeroBlock = crc32c(new byte[128], 0, 128);
        for (long b = 0; b < region.blockCount(); b++) {
            assertEquals(zeroBlock, sums.getAtIndex(LE_INT, b), "block " + b + " holds the CRC32C of 128 zero bytes");
        }
        byte[] back = new byte[3000];
        memory.read(0, back);
        assertArrayEquals(new byte[3000], back);
    }

    @Test
    void nameAppearsInToStringAndInIntegrityErrors() {
        CheckedRegion region = CheckedRegion.builder(arena, 4096).blockSize(256).name("orders").build();
        assertTrue(region.toString().contains("orders"), region.toString());
        SafeMemoryHandler memory = region.handler();
        assertTrue(memory.toString().contains("orders"), memory.toString());

        FaultInjector.of(region, 1).flipDataBit(700, 2); // block 2: bytes [512, 768)
        IntegrityException e = assertThrows(IntegrityException.class, memory::verifyIntegrity);
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, e.code());
        assertEquals("orders", e.providerName());
        assertEquals(2, e.block());
        assertEquals(512, e.blockStart());
        assertEquals(768, e.blockEnd());
        assertEquals(crc32c(new byte[256], 0, 256), e.expectedChecksum());
        byte[] corrupt = new byte[256];
        corrupt[700 - 512] = 4;
        assertEquals(crc32c(corrupt, 0, 256), e.actualChecksum());
        assertNotEquals(e.expectedChecksum(), e.actualChecksum());
        String m = e.getMessage();
        assertTrue(m.contains("provider 'orders'"), m);
        assertTrue(m.contains("block 2"), m);
        assertTrue(m.contains("[512, 768)"), m);
        assertTrue(m.contains(String.format("0x%08x", e.expectedChecksum())), m);
        assertTrue(m.contains(String.format("0x%08x", e.actualChecksum())), m);
    }

    @Test
    void toStringDescribesGeometryLevelAndCounters() {
        CheckedRegion region = CheckedRegion.builder(arena, 65536).blockSize(256).name("orders").build();
        assertEquals("CheckedRegion[orders, 65536 bytes, 256 blocks of 256, STANDARD, writes=0, bytesWritten=0, "
                + "verifications=0, sampledSkips=0, integrityFailures=0, checksummedBytes=0, readRetries=0, lockedReads=0]",
                region.toString());
        region.handler().putInt(0, 1);
        assertTrue(region.toString().contains("writes=1, bytesWritten=4"), region.toString());
    }

    @Test
    void defaultNamesAreUnique() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            String name = CheckedRegion.builder(arena, 64).build().name();
            assertTrue(name.matches("region-\\d+"), name);
            assertTrue(names.add(name), "default name " + name + " given twice");
        }
        CheckedRegion named = CheckedRegion.builder(arena, 64).name("region-1").build();
        assertEquals("region-1", named.name(), "an explicit name is used as given");
    }

    @Test
    void statisticsStartAtZeroAndAreALiveView() {
        CheckedRegion region = CheckedRegion.builder(arena, 4096).build();
        MemoryStatistics stats = region.statistics();
        assertEquals(0, stats.writes());
        assertEquals(0, stats.bytesWritten());
        assertEquals(0, stats.verifications());
        assertEquals(0, stats.sampledSkips());
        assertEquals(0, stats.integrityFailures());
        assertEquals(0, stats.checksummedBytes());
        assertSame(stats, region.statistics(), "the same view every time, no allocation");

        region.handler().write(0, new byte[256]);
        assertEquals(1, stats.writes(), "the view held before the write shows it");
        assertEquals(256, stats.bytesWritten());
    }

    @Test
    void oneHandlerPerRegion() {
        CheckedRegion region = CheckedRegion.builder(arena, 4096).name("single").build();
        SafeMemoryHandler memory = region.handler();
        assertSame(region, memory.provider());
        StateException e = assertThrows(StateException.class, region::handler);
        assertEquals(ErrorCode.ALREADY_OWNED, e.code());
        assertTrue(e.getMessage().contains("'single'"), e.getMessage());

        CheckedRegion other = CheckedRegion.builder(arena, 4096).build();
        SafeMemoryHandler otherMemory = other.handler();
        assertSame(other, otherMemory.provider(), "each region has its own handler");
        memory.putInt(0, 1);
        otherMemory.putInt(0, 2);
        assertEquals(1, memory.getInt(0));
        assertEquals(2, otherMemory.getInt(0));
    }

    @Test
    void regionsOfOneArenaAreIndependent() {
        CheckedRegion a = CheckedRegion.builder(arena, 1000).name("a").build();
        CheckedRegion b = CheckedRegion.builder(arena, 1000).name("b").build();
        SafeMemoryHandler ma = a.handler();
        SafeMemoryHandler mb = b.handler();
        ma.fill(0, 1000, (byte) 0x11);
        byte[] back = new byte[1000];
        mb.read(0, back);
        assertArrayEquals(new byte[1000], back, "filling one region leaves its neighbour alone");
        mb.verifyIntegrity();
        ma.verifyIntegrity();
    }
}
