package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clpool.io.Npy;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: a window of more than 2^31 − 1 taps on the device. DIRECT's divisor multiplied the
 * window's extents in int: average pooling of a single 3 over a 46341x46341 window padded by
 * 23170 came back negative. The divisor is the padded tap count, 46341² = 2147488281.
 */
class HugeWindowOpenClTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void device() {
        CliRun.requireOpenCl();
    }

    private float[] forward(String... window) throws Exception {
        Npy.writeFloat32(dir.resolve("x.npy"), new long[] {1, 1, 1, 1}, new float[] {3f});
        String[] head = {"forward", "--device", "opencl", "--algorithm", "direct", "--op", "avg",
                "--input", dir.resolve("x.npy").toString(), "--output", dir.resolve("y.npy").toString()};
        String[] args = new String[head.length + window.length];
        System.arraycopy(head, 0, args, 0, head.length);
        System.arraycopy(window, 0, args, head.length, window.length);
        CliRun run = CliRun.of(args);
        assertEquals(0, run.exitCode(), run::toString);
        return Npy.read(dir.resolve("y.npy")).toFloats();
    }

    @Test
    void averageOverMoreThan2pow31PaddedTapsDividesByTheirTrueCount() throws Exception {
        assertArrayEquals(new float[] {3f / 2_147_488_281L}, forward("--kernel", "46341", "--padding", "23170"));
    }
}
