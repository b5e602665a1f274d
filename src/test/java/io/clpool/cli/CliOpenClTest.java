package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.support.ConformanceCase;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The command line on the OpenCL device ({@code --device opencl}): the PyTorch cases of the ops
 * the device implements, and the differential check. Skips loudly without a device, fails in CI.
 */
class CliOpenClTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void device() {
        CliRun.requireOpenCl();
    }

    static Stream<ConformanceCase> maxMinCases() {
        return ConformanceCase.all().stream().filter(c -> c.op().equals("max") || c.op().equals("min"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxMinCases")
    void forwardOnTheDeviceMatchesPyTorch(ConformanceCase c) {
        CliConformanceTest.checkForward(c, "opencl", dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxMinCases")
    void backwardOnTheDeviceMatchesPyTorch(ConformanceCase c) {
        CliConformanceTest.checkBackward(c, "opencl", dir, false);
        CliConformanceTest.checkBackward(c, "opencl", dir, true);
    }

    static Stream<ConformanceCase> fractionalCases() {
        return ConformanceCase.fractional().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fractionalCases")
    void fractionalOnTheDeviceMatchesPyTorch(ConformanceCase c) {
        CliConformanceTest.checkForward(c, "opencl", dir);
        CliConformanceTest.checkBackward(c, "opencl", dir, false);
        CliConformanceTest.checkBackward(c, "opencl", dir, true);
    }

    static Stream<ConformanceCase> volumetricCases() {
        return ConformanceCase.volumetric().stream();
    }

    /** max3d, avg3d, adaptive-max3d, adaptive-avg3d: 5-D files through the command line on the device. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("volumetricCases")
    void volumetricOnTheDeviceMatchesPyTorch(ConformanceCase c) {
        CliConformanceTest.checkForward(c, "opencl", dir);
        CliConformanceTest.checkBackward(c, "opencl", dir, false);
        if (CliConformanceTest.indexed(c)) {
            CliConformanceTest.checkBackward(c, "opencl", dir, true);
        }
    }

    /** 60 float32 channels-first cases and one per op in each of the 5 other formats. */
    static Stream<ConformanceCase> formatCases() {
        return ConformanceCase.formats().stream();
    }

    /** The 36 channels-last, float16 and bfloat16 PyTorch cases through the command line on the device. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("formatCases")
    void formatsOnTheDeviceMatchPyTorch(ConformanceCase c) {
        CliConformanceTest.checkFormats(c, "opencl", dir);
    }

    @Test
    void checkPassesForTheThreeDimensionalOpsOnTheDevice() {
        CliRun run = CliRun.of("check", "--device", "opencl", "--ops", "max3d,min3d,avg3d,lp3d,adaptive-max3d,adaptive-avg3d,unpool3d",
                "--cases", "70");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("105 passed, 0 failed", run.outLines().get(run.outLines().size() - 1), run::toString);
    }

    @Test
    void checkPassesForMaxAndMinOnTheDevice() {
        CliRun run = CliRun.of("check", "--device", "opencl", "--ops", "max,min", "--cases", "40");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("50 passed, 0 failed", run.outLines().get(run.outLines().size() - 1), run::toString);
        assertTrue(run.out().contains("OpenCL"), run::toString);
    }

    /** Every op of the sweep in bfloat16 channels last on the device. */
    @Test
    void checkPassesInBfloat16ChannelsLastOnTheDevice() {
        CliRun run = CliRun.of("check", "--device", "opencl", "--dtype", "bfloat16", "--channels-last", "--cases", "28");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("28 passed, 0 failed", run.outLines().get(run.outLines().size() - 1), run::toString);
    }

    /**
     * forward, backward and unpool with --dtype and --channels-last on the device: selections and
     * indices equal float32 channels first rounded once, sums within two units of the type's last place.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.clpool.cli.CliFormatsTest#poolsAndFormats")
    void formatsOnTheDeviceEqualFloat32RoundedOnce(CliFormatsTest.Pool pool, CliFormatsTest.Format format) {
        CliFormatsTest.roundTrip(pool, format, "opencl", dir, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.clpool.cli.CliFormatsTest#formats")
    void unpoolInFormatsOnTheDevice(CliFormatsTest.Format format) {
        CliFormatsTest.unpoolRoundTrip(format, "opencl", dir);
    }

    /**
     * IM2COL runs max and min in every type, average on float32 channels first only: float16 max
     * runs and equals AUTO's file; float16 average is one line, exit 2, nothing written.
     */
    @Test
    void im2colRunsHalfMaxAndRefusesHalfAverageInOneLine() throws java.io.IOException {
        java.nio.file.Path x = dir.resolve("x.npy");
        float[] data = new float[32];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i * 11 % 32) - 16f;
        }
        io.clpool.io.Npy.write(x, new long[] {1, 2, 4, 4}, data, io.clpool.spec.DType.FLOAT16);
        CliRun max = CliRun.of("forward", "--device", "opencl", "--algorithm", "im2col", "--kernel", "2", "--input", x.toString(),
                "--output", dir.resolve("im2col.npy").toString());
        assertEquals(0, max.exitCode(), max::toString);
        CliRun auto = CliRun.of("forward", "--device", "opencl", "--kernel", "2", "--input", x.toString(),
                "--output", dir.resolve("auto.npy").toString());
        assertEquals(0, auto.exitCode(), auto::toString);
        org.junit.jupiter.api.Assertions.assertArrayEquals(java.nio.file.Files.readAllBytes(dir.resolve("auto.npy")),
                java.nio.file.Files.readAllBytes(dir.resolve("im2col.npy")), "IM2COL's float16 max file equals AUTO's");
        CliRun avg = CliRun.of("forward", "--device", "opencl", "--op", "avg", "--algorithm", "im2col", "--kernel", "2",
                "--input", x.toString(), "--output", dir.resolve("y.npy").toString());
        assertEquals(2, avg.exitCode(), avg::toString);
        assertEquals(1, avg.errLines().size(), avg::toString);
        assertTrue(avg.err().contains("the IM2COL algorithm runs 3-D windows, channels-last tensors, float16/bfloat16 and float64 for max "
                + "and min pooling only"), avg::toString);
        assertTrue(!java.nio.file.Files.exists(dir.resolve("y.npy")), "nothing written");
    }

    /** An N×C×L input on the device: 1-D pooling as N×C×1×L, written back as N×C×L, equal to the reference's files. */
    @Test
    void oneDimensionalInputsOnTheDeviceEqualTheReference() throws java.io.IOException {
        java.nio.file.Path x = dir.resolve("x.npy");
        float[] data = new float[2 * 3 * 29];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i * 37 % data.length) - 40f;
        }
        io.clpool.io.Npy.writeFloat32(x, new long[] {2, 3, 29}, data);
        for (String device : new String[] {"cpu", "opencl"}) {
            CliRun forward = CliRun.of("forward", "--device", device, "--kernel", "4", "--stride", "3", "--padding", "1",
                    "--dilation", "2", "--input", x.toString(), "--output", dir.resolve(device + "-y.npy").toString(),
                    "--indices", dir.resolve(device + "-idx.npy").toString());
            assertEquals(0, forward.exitCode(), forward::toString);
            CliRun backward = CliRun.of("backward", "--device", device, "--kernel", "4", "--stride", "3", "--padding", "1",
                    "--dilation", "2", "--input", x.toString(), "--grad-output", dir.resolve("cpu-y.npy").toString(),
                    "--indices", dir.resolve(device + "-idx.npy").toString(), "--output", dir.resolve(device + "-gx.npy").toString());
            assertEquals(0, backward.exitCode(), backward::toString);
        }
        for (String file : new String[] {"y.npy", "idx.npy", "gx.npy"}) {
            var reference = CliConformanceTest.read(dir.resolve("cpu-" + file));
            var device = CliConformanceTest.read(dir.resolve("opencl-" + file));
            org.junit.jupiter.api.Assertions.assertArrayEquals(reference.shape(), device.shape(), file);
            assertEquals(3, device.shape().length, file + " is N,C,L");
            if (file.equals("gx.npy")) {
                io.clpool.support.Compare.close(reference.toFloats(), device.toFloats(), file);
            } else if (file.equals("idx.npy")) {
                io.clpool.support.Compare.bitEqual(reference.toInts(), device.toInts(), file);
            } else {
                io.clpool.support.Compare.bitEqual(reference.toFloats(), device.toFloats(), file);
            }
        }
    }

    @Test
    void forwardReportsTheOpenClDevice() {
        ConformanceCase c = maxMinCases().findFirst().orElseThrow();
        CliRun run = CliRun.of("forward", "--device", "opencl", "--op", "max", "--kernel", "2",
                "--input", CliConformanceTest.file(c, "x.npy"), "--output", dir.resolve("y.npy").toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("on OpenCL "), run::toString);
        assertEquals("", run.err(), "nothing on stderr when all is well");
    }
}
