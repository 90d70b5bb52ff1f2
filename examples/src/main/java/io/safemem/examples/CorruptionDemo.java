package io.safemem.examples;

/** Placeholder replaced by the demo. */
public final class CorruptionDemo {
    private CorruptionDemo() {
    }

    /**
     * Runs the demo.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println("demo runs on Java " + Runtime.version());
    }
}
