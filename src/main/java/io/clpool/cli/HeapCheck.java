package io.clpool.cli;

import java.util.Locale;

/**
 * Memory estimates made before a command allocates: what the inputs' headers (a .npy's shape, an
 * image's dimensions) or bench's shape imply, against the heap this JVM may grow to. A shortfall
 * is a usage error that names the need and the {@code -Xmx} that would do, instead of an
 * OutOfMemoryError half-way through.
 */
final class HeapCheck {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private HeapCheck() {}

    /** Bytes a .npy file of {@code elements} elements of {@code elementSize} bytes takes while read as floats: its array and the float32 copy. */
    static long readingFloats(long elements, int elementSize) {
        return elements * elementSize + elements * 4;
    }

    /** Bytes an index file takes while read: the widened long array and the int copy. */
    static long readingIndices(long elements) {
        return elements * 8 + elements * 4;
    }

    /**
     * Fails with a usage error when {@code bytes} more would not fit in the heap: {@code what}
     * says what needs them (e.g. "forward of --input x.npy (1x1x40000x40000 float32)").
     */
    static void require(long bytes, String what) {
        Runtime runtime = Runtime.getRuntime();
        long max = runtime.maxMemory();
        if (max == Long.MAX_VALUE) {
            return; // no limit known
        }
        long used = runtime.totalMemory() - runtime.freeMemory();
        if (bytes > max - used) {
            throw new UsageError(what + " needs about " + size(bytes) + " of Java heap, but this JVM may use at most "
                    + size(max) + "; run java -Xmx" + xmx(bytes + used) + " -jar clpool.jar ..., or give a smaller input");
        }
    }

    /** An {@code -Xmx} value with room for {@code bytes}: a quarter more, in whole GiB (MiB below 1 GiB). */
    static String xmx(long bytes) {
        long wanted = bytes + bytes / 4;
        return wanted < GIB ? Math.max(64, ceilDiv(wanted, 64 * MIB) * 64) + "m" : ceilDiv(wanted, GIB) + "g";
    }

    static String size(long bytes) {
        return bytes >= GIB ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) GIB)
                : String.format(Locale.ROOT, "%.0f MiB", Math.ceil(bytes / (double) MIB));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
