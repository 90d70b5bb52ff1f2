package io.safemem.jcstress;

import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Main;
import org.openjdk.jcstress.Options;

/**
 * The build's entry point to jcstress: {@link Main} with one more check first. jcstress exits
 * non-zero when a test shows a FORBIDDEN outcome, errors, crashes its VM or times out, but runs
 * zero tests happily when the {@code -t} pattern matches none, which would leave the build green
 * having proved nothing. This refuses that case (exit status 2), then hands over to jcstress.
 */
public final class RunTests {

    private RunTests() {
    }

    /**
     * Runs jcstress with {@code args}, after checking they select at least one test.
     *
     * @param args jcstress's own command line
     * @throws Exception whatever jcstress throws; its report of failed tests is an exception too
     */
    public static void main(String[] args) throws Exception {
        Options opts = new Options(args);
        if (opts.parse() && !opts.shouldList() && !opts.shouldParse() && new JCStress(opts).getTests().isEmpty()) {
            System.err.println("jcstress: no test matches -t \"" + opts.getTestFilter() + "\"; nothing would be run");
            System.exit(2);
        }
        Main.main(args);
    }
}
