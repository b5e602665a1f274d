package io.clpool.cli;

import static io.clpool.io.NpyBytes.dict;
import static io.clpool.io.NpyBytes.doubles;
import static io.clpool.io.NpyBytes.floats;
import static io.clpool.io.NpyBytes.npy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .npy files a user hands to forward: the variants that work, and malformed ones that exit 2. */
class CliNpyInputTest {
    @TempDir
    Path dir;

    /** 1×1×2×4: max-pooled 2×2 gives {6, 8}. */
    private static final float[] X = {1, 6, 3, 4, 5, 2, 7, 8};

    private CliRun forward(byte[] file) throws IOException {
        Path input = dir.resolve("x.npy");
        Files.write(input, file);
        return CliRun.of("forward", "--device", "cpu", "--kernel", "2", "--input", input.toString(),
                "--output", dir.resolve("y.npy").toString());
    }

    private float[] output() {
        return CliConformanceTest.floats(dir.resolve("y.npy"));
    }

    @Test
    void bigEndianFloat32Works() throws IOException {
        CliRun run = forward(npy(1, dict(">f4", false, "(1, 1, 2, 4)"), floats(ByteOrder.BIG_ENDIAN, X)));
        assertEquals(0, run.exitCode(), run::toString);
        assertArrayEquals(new float[] {6, 8}, output());
    }

    /** Without --dtype a float64 input (here big-endian) is computed in float64 and the result written as '<f8', exactly. */
    @Test
    void float64IsComputedAsFloat64WithoutDtype() throws IOException {
        double[] x = {1, 6, 3, 4, 5, 2, 7, 8.1};
        CliRun run = forward(npy(2, dict(">f8", false, "(1, 1, 2, 4)"), doubles(ByteOrder.BIG_ENDIAN, x)));
        assertEquals(0, run.exitCode(), run::toString);
        io.clpool.io.NpyArray y = io.clpool.io.Npy.read(dir.resolve("y.npy"));
        assertEquals("<f8", y.dtype());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {6, 8.1}, y.toDoubles(), "8.1 the double, not the float");
    }

    /** With --dtype float32 a float64 input is rounded to nearest float, quietly: the user asked for it. */
    @Test
    void float64WithDtypeFloat32IsRounded() throws IOException {
        double[] x = {1, 6, 3, 4, 5, 2, 7, 8.1};
        Path input = dir.resolve("x.npy");
        Files.write(input, npy(2, dict(">f8", false, "(1, 1, 2, 4)"), doubles(ByteOrder.BIG_ENDIAN, x)));
        CliRun run = CliRun.of("forward", "--device", "cpu", "--kernel", "2", "--dtype", "float32", "--input", input.toString(),
                "--output", dir.resolve("y.npy").toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("", run.err(), run::toString);
        assertArrayEquals(new float[] {6, 8.1f}, output());
    }

    @Test
    void float16IsReadAndTheResultWrittenAsFloat16() throws IOException {
        byte[] halves = new byte[16];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(halves).order(ByteOrder.BIG_ENDIAN);
        for (float v : new float[] {1, 6, 3, 4, 5, 2, 7, 8.5f}) {
            b.putShort(io.clpool.spec.DType.floatToHalf(v));
        }
        CliRun run = forward(npy(1, dict(">f2", false, "(1, 1, 2, 4)"), halves));
        assertEquals(0, run.exitCode(), run::toString);
        var y = CliConformanceTest.read(dir.resolve("y.npy"));
        assertEquals("<f2", y.dtype());
        assertArrayEquals(new float[] {6, 8.5f}, y.toFloats());
    }

    @Test
    void version3HeadersWork() throws IOException {
        CliRun run = forward(npy(3, dict("<f4", false, "(1, 1, 2, 4)"), floats(ByteOrder.LITTLE_ENDIAN, X)));
        assertEquals(0, run.exitCode(), run::toString);
        assertArrayEquals(new float[] {6, 8}, output());
    }

    @Test
    void malformedFilesExitTwoWithTheirReason() throws IOException {
        byte[] good = npy(1, dict("<f4", false, "(1, 1, 2, 4)"), floats(ByteOrder.LITTLE_ENDIAN, X));
        expectRejected(Arrays.copyOf(good, good.length - 5), "which needs 32 bytes of data, but 27 bytes follow the header");
        expectRejected(npy(1, dict("<f4", false, "(1, 1, 4, 4)"), floats(ByteOrder.LITTLE_ENDIAN, X)), "has shape (1, 1, 4, 4)");
        expectRejected(npy(1, dict("<f4", false, "(100000, 100000, 100000, 100000)"), floats(ByteOrder.LITTLE_ENDIAN, X)),
                "needs 400000000000000000000 bytes");
        expectRejected("PK\u0003\u0004 a zip file".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "is not a .npy file");
        expectRejected(npy(1, dict("<f4", true, "(1, 1, 2, 4)"), floats(ByteOrder.LITTLE_ENDIAN, X)), "Fortran order");
        expectRejected(npy(1, dict("<u2", false, "(1, 1, 2, 4)"), new byte[16]), "has dtype uint16 ('<u2')");
        expectRejected(npy(1, dict("|O", false, "(1, 1, 2, 4)"), new byte[64]), "has dtype object ('|O')");
    }

    private void expectRejected(byte[] file, String reason) throws IOException {
        CliRun run = forward(file);
        assertEquals(2, run.exitCode(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().contains(reason), () -> "expected '" + reason + "' in " + run);
        assertFalse(Files.exists(dir.resolve("y.npy")), "nothing written");
    }
}
