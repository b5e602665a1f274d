package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clpool.io.Npy;
import io.clpool.io.NpyArray;
import io.clpool.support.ConformanceCase;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** unpool puts PyTorch's pooled values back where they came from. */
class UnpoolCommandTest {
    @TempDir
    Path dir;

    /** A max case whose windows do not overlap and cover the input: unpooling restores its winners. */
    private static ConformanceCase disjointMaxCase() {
        return ConformanceCase.all().stream()
                .filter(c -> c.op().equals("max") && c.spec().windowsDisjoint() && !c.spec().hasPadding() && !c.spec().hasDilation()
                        && !c.spec().ceilMode() && c.x().shape().equals(c.spec().unpoolOutputShape(c.y().shape())))
                .findFirst().orElseThrow();
    }

    @Test
    void unpoolsToTheShapeOfTheWindowFlags() throws IOException {
        ConformanceCase c = disjointMaxCase();
        Path out = dir.resolve("x.npy");
        var s = c.spec();
        CliRun run = CliRun.of("unpool", "--device", "cpu", "--input", CliConformanceTest.file(c, "y.npy"),
                "--indices", CliConformanceTest.file(c, "idx.npy"), "--kernel", s.kernelH() + "," + s.kernelW(),
                "--stride", s.strideH() + "," + s.strideW(), "--output", out.toString());
        assertEquals(0, run.exitCode(), run::toString);
        checkWinnersRestored(c, Npy.read(out));
    }

    @Test
    void unpoolsToAnExplicitShape() throws IOException {
        ConformanceCase c = disjointMaxCase();
        Path out = dir.resolve("x.npy");
        var x = c.x().shape();
        CliRun run = CliRun.of("unpool", "--device", "cpu", "--input", CliConformanceTest.file(c, "y.npy"),
                "--indices", CliConformanceTest.file(c, "idx.npy"), "--output-shape", x.n() + "," + x.c() + "," + x.h() + "," + x.w(),
                "--output", out.toString());
        assertEquals(0, run.exitCode(), run::toString);
        checkWinnersRestored(c, Npy.read(out));
    }

    /** Every winning element holds its input value, every other one zero. */
    private static void checkWinnersRestored(ConformanceCase c, NpyArray unpooled) {
        assertArrayEquals(c.x().shape().toLongArray(), unpooled.shape());
        float[] x = c.x().data();
        float[] expected = new float[x.length];
        int[] idx = c.idx().data();
        int plane = (int) c.x().shape().planeSize();
        int perPlane = (int) c.y().shape().planeSize();
        for (int i = 0; i < idx.length; i++) {
            int at = i / perPlane * plane + idx[i];
            expected[at] = x[at];
        }
        io.clpool.support.Compare.bitEqual(expected, unpooled.toFloats(), c + " unpooled");
    }
}
