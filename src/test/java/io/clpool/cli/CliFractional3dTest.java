package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.io.Npy;
import io.clpool.io.NpyArray;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.FractionalSamples;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Inputs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --op fractional-max} on a 5-D input through the command line, on either backend: values
 * and int64 indices from {@code forward}, gradients from {@code backward} with and without the
 * indices, against the library's reference; samples given as an N x C x 3 file or drawn from a
 * seed; {@code --kernel} and {@code --output-size} with one or three values.
 */
class CliFractional3dTest {
    @TempDir
    Path dir;

    private final ReferencePooling reference = new ReferencePooling();

    @ParameterizedTest(name = "--device {0}")
    @ValueSource(strings = {"cpu", "opencl"})
    void roundTripMatchesTheReference(String device) throws IOException {
        Shape in = Shape.of(2, 3, 7, 6, 9);
        Tensor x = Inputs.SPECIAL.tensor(in, 5);
        float[] u = new float[2 * 3 * 3];
        java.util.Random random = new java.util.Random(12);
        for (int i = 0; i < u.length; i++) {
            u[i] = random.nextFloat();
        }
        Path xFile = dir.resolve("x.npy");
        Path samples = dir.resolve("samples.npy");
        Npy.writeFloat32(xFile, new long[] {2, 3, 7, 6, 9}, x.data());
        Npy.writeFloat32(samples, new long[] {2, 3, 3}, u);
        PoolOp given = PoolOp.fractionalMax3d(2, 3, 2, 4, 3, 5, FractionalSamples.of(2, 3, 3, u));
        check(device, x, given, List.of("--kernel", "2,3,2", "--output-size", "4,3,5", "--samples", samples.toString()));
        PoolOp seeded = PoolOp.fractionalMax3d(2, 2, 2, 3, 3, 3, FractionalSamples.seeded(99));
        check(device, x, seeded, List.of("--kernel", "2", "--output-size", "3", "--seed", "99"));
    }

    private void check(String device, Tensor x, PoolOp op, List<String> flags) throws IOException {
        Path y = dir.resolve("y.npy");
        Path idx = dir.resolve("idx.npy");
        Path gy = dir.resolve("gy.npy");
        Path gx = dir.resolve("gx.npy");
        Path gxRecomputed = dir.resolve("gx2.npy");
        PoolResult expected = reference.forward(op, x);
        Shape out = expected.values().shape();
        String xFile = dir.resolve("x.npy").toString();

        CliRun forward = CliRun.of(concat(List.of("forward", "--device", device, "--op", "fractional-max", "--input", xFile,
                "--output", y.toString(), "--indices", idx.toString()), flags));
        assertEquals(0, forward.exitCode(), forward::toString);
        NpyArray values = Npy.read(y);
        assertArrayEquals(new long[] {out.n(), out.c(), out.d(), out.h(), out.w()}, values.shape());
        Compare.bitEqual(expected.values().data(), values.toFloats(), device + " values");
        NpyArray indices = Npy.read(idx);
        assertEquals("<i8", indices.dtype());
        assertArrayEquals(expected.indices().data(), indices.toInts(), device + " indices");

        Tensor g = Inputs.gradient(out, 3);
        Npy.writeFloat32(gy, new long[] {out.n(), out.c(), out.d(), out.h(), out.w()}, g.data());
        Tensor expectedGrad = reference.backward(op, g, x, expected.values(), expected.indices());
        CliRun backward = CliRun.of(concat(List.of("backward", "--device", device, "--op", "fractional-max", "--input", xFile,
                "--grad-output", gy.toString(), "--indices", idx.toString(), "--output", gx.toString()), flags));
        assertEquals(0, backward.exitCode(), backward::toString);
        Compare.bitEqual(expectedGrad.data(), Npy.read(gx).toFloats(), device + " gradient from the indices");
        CliRun recomputed = CliRun.of(concat(List.of("backward", "--device", device, "--op", "fractional-max", "--input", xFile,
                "--grad-output", gy.toString(), "--output", gxRecomputed.toString()), flags));
        assertEquals(0, recomputed.exitCode(), recomputed::toString);
        Compare.bitEqual(expectedGrad.data(), Npy.read(gxRecomputed).toFloats(), device + " gradient, forward recomputed");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
