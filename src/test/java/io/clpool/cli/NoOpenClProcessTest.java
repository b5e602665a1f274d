package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.io.Npy;
import io.clpool.opencl.OpenClUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a separate process on a machine without OpenCL: the ICD loader is pointed
 * at an empty vendor directory (OCL_ICD_VENDORS), which hides every platform. Checks the real
 * exit codes of {@link Main#main} and the install hint.
 */
class NoOpenClProcessTest {
    @TempDir
    Path dir;

    @BeforeEach
    void input() throws IOException {
        Npy.writeFloat32(dir.resolve("x.npy"), new long[] {1, 1, 2, 4}, new float[] {1, 6, 3, 4, 5, 2, 7, 8});
    }

    private CliRun run(String... args) throws IOException, InterruptedException {
        Path vendors = Files.createDirectories(dir.resolve("no-vendors"));
        return CliRun.inItsOwnJvm(dir, Duration.ofSeconds(60), List.of(), environment -> {
            environment.put("OCL_ICD_VENDORS", vendors.toString());
            environment.remove("CLPOOL_DEVICE");
        }, args);
    }

    @Test
    void devicesNamesThePackagesToInstallAndExitsZero() throws Exception {
        CliRun r = run("devices");
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().startsWith("No OpenCL device: "), r::toString);
        assertTrue(r.out().contains(OpenClUnavailableException.INSTALL_HINT), r::toString);
    }

    @Test
    void autoFallsBackToTheReferenceWithAWarning() throws Exception {
        CliRun r = run("forward", "--kernel", "2", "--input", dir.resolve("x.npy").toString(), "--output", dir.resolve("y.npy").toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("clpool: warning: no OpenCL platform found"), r::toString);
        assertTrue(r.err().contains("using the plain-Java reference instead"), r::toString);
        assertTrue(r.out().contains("on CPU (plain-Java reference)"), r::toString);
        assertEquals(List.of(6f, 8f), floats(Npy.read(dir.resolve("y.npy")).toFloats()));
    }

    @Test
    void openClAskedForButMissingExitsOneWithTheHint() throws Exception {
        CliRun r = run("forward", "--device", "opencl", "--kernel", "2", "--input", dir.resolve("x.npy").toString(),
                "--output", dir.resolve("y.npy").toString());
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
        assertTrue(r.err().contains(OpenClUnavailableException.INSTALL_HINT), r::toString);
        assertFalse(Files.exists(dir.resolve("y.npy")));
    }

    @Test
    void checkWithoutADeviceFailsInsteadOfComparingTheReferenceWithItself() throws Exception {
        CliRun r = run("check", "--cases", "5");
        assertEquals(1, r.exitCode(), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
        assertTrue(r.err().startsWith("clpool check: no OpenCL device to check, so nothing was checked"), r::toString);
        assertTrue(r.err().contains(OpenClUnavailableException.INSTALL_HINT), r::toString);
        assertFalse(r.out().contains("passed"), r::toString);
    }

    @Test
    void demoWithoutADeviceSaysSoOnStdoutAndOnItsPage() throws Exception {
        Path out = dir.resolve("demo");
        CliRun r = run("demo", "--out", out.toString());
        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.out().startsWith(DemoCommand.REFERENCE_ONLY), r::toString);
        assertTrue(r.out().contains("forward equals reference:  " + DemoCommand.NOT_CHECKED), r::toString);
        assertFalse(r.out().contains("equal (bit for bit)"), r::toString);
        String page = Files.readString(out.resolve("index.html"));
        assertTrue(page.contains(DemoCommand.REFERENCE_ONLY), page);
        assertFalse(page.contains("equal (bit for bit)"), page);
    }

    @Test
    void aUsageErrorExitsTwo() throws Exception {
        CliRun r = run("forward", "--kernel", "2");
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
    }

    private static List<Float> floats(float[] values) {
        List<Float> out = new ArrayList<>();
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}
