package io.safemem.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Runs a mode's plan of JMH runs, writes all their results to one JMH JSON file and prints the
 * mode's tables:
 * <pre>
 * java -cp benchmarks.jar io.safemem.bench.BenchMain full|quick|sweep [JMH options]
 * </pre>
 * The JMH options (for example {@code -p blockSize=64}, {@code -prof perfasm}, {@code -f 2},
 * {@code -e HandlerWriteBench}) are the parent of every run: a parameter or timing given there
 * replaces the plan's, and the GC profiler is always added. Benchmark patterns are refused, since
 * JMH would add them to every run; {@code java -jar benchmarks.jar PATTERN} runs JMH alone. The
 * JSON file is the {@code bench.result} system property, else JMH's {@code -rff}, else
 * {@value #DEFAULT_RESULT} under the working directory.
 */
public final class BenchMain {

    /** Where the JSON results go when neither {@code bench.result} nor {@code -rff} says. */
    static final String DEFAULT_RESULT = "target/jmh-result.json";

    private BenchMain() {
    }

    /**
     * Runs a mode.
     *
     * @param args the mode, then JMH options
     * @throws CommandLineOptionException if JMH cannot parse the options
     * @throws RunnerException            if JMH cannot run
     * @throws IOException                if the JSON file cannot be written
     */
    public static void main(String[] args) throws CommandLineOptionException, RunnerException, IOException {
        if (args.length == 0) {
            throw new IllegalArgumentException(
                    "usage: java -cp benchmarks.jar io.safemem.bench.BenchMain full|quick|sweep [JMH options]");
        }
        BenchMode mode = BenchMode.parse(args[0]);
        CommandLineOptions given = new CommandLineOptions(Arrays.copyOfRange(args, 1, args.length));
        if (!given.getIncludes().isEmpty()) {
            throw new IllegalArgumentException("BenchMain runs its own plan and takes no benchmark pattern "
                    + given.getIncludes() + "; narrow it with -e PATTERN, or run java -jar benchmarks.jar PATTERN");
        }
        List<RunResult> results = new ArrayList<>();
        for (PlannedRun run : mode.plan()) {
            try {
                results.addAll(new Runner(run.options(given)).run());
            } catch (NoBenchmarksException excludedByTheCommandLine) {
                // -e removed every benchmark of this run: its rows print "not run"
            }
        }
        Path file = Path.of(System.getProperty("bench.result", given.getResult().orElse(DEFAULT_RESULT)));
        writeJson(file, results);
        System.out.println();
        System.out.println("JMH results of all runs: " + file.toAbsolutePath());
        System.out.println();
        System.out.println(mode.report(Measurement.of(results)));
    }

    private static void writeJson(Path file, Collection<RunResult> results) throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        if (directory != null) {
            Files.createDirectories(directory);
        }
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, out).writeOut(results);
        }
    }
}
