package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.io.Npy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every user error exits 2 with one line on stderr that names the problem, and writes nothing:
 * no output, no temporary file left behind.
 */
class CliUsageErrorTest {
    @TempDir
    Path dir;

    /** Placeholders in the table below, replaced by files made in {@link #files()}. */
    private static final String X = "@x", GY = "@gy", IDX = "@idx", OUT = "@out", BAD = "@bad", X3D = "@x3d", INTS = "@ints",
            Y = "@y";

    @BeforeEach
    void files() throws IOException {
        Npy.writeFloat32(dir.resolve("x.npy"), new long[] {1, 2, 6, 6}, ramp(72));
        Npy.writeFloat32(dir.resolve("gy.npy"), new long[] {1, 2, 3, 3}, ramp(18));
        Npy.writeFloat32(dir.resolve("y.npy"), new long[] {1, 2, 3, 3}, ramp(18));
        Npy.writeInt64(dir.resolve("idx.npy"), new long[] {1, 2, 3, 3}, new int[18]);
        Npy.writeFloat32(dir.resolve("x3d.npy"), new long[] {2, 6, 6}, ramp(72));
        Npy.writeFloat32(dir.resolve("x2d.npy"), new long[] {6, 6}, ramp(36));
        Npy.writeFloat32(dir.resolve("x6d.npy"), new long[] {1, 1, 2, 2, 2, 2}, ramp(16));
        Npy.writeFloat32(dir.resolve("x5.npy"), new long[] {1, 2, 6, 6, 6}, ramp(432));
        Npy.writeFloat32(dir.resolve("gy5.npy"), new long[] {1, 2, 3, 3, 3}, ramp(54));
        Npy.writeFloat32(dir.resolve("y5.npy"), new long[] {1, 2, 3, 3, 3}, ramp(54));
        Npy.writeInt64(dir.resolve("idx5.npy"), new long[] {1, 2, 3, 3, 3}, new int[54]);
        Npy.writeInt64(dir.resolve("ints.npy"), new long[] {1, 2, 6, 6}, new int[72]);
        Files.write(dir.resolve("bad.npy"), "x,y\n1,2\n".getBytes(StandardCharsets.ISO_8859_1));
        Npy.writeFloat32(dir.resolve("samples3c.npy"), new long[] {1, 3, 2}, new float[6]);
        Npy.writeFloat32(dir.resolve("samples1.npy"), new long[] {1, 2, 2}, new float[] {0f, 0.5f, 1f, 0f});
        Npy.write(dir.resolve("xh.npy"), new long[] {1, 2, 6, 6}, ramp(72), io.clpool.spec.DType.FLOAT16);
        Npy.write(dir.resolve("gyh.npy"), new long[] {1, 2, 3, 3}, ramp(18), io.clpool.spec.DType.FLOAT16);
        double[] doubles = new double[72];
        Files.write(dir.resolve("x64.npy"), io.clpool.io.NpyBytes.npy(1, io.clpool.io.NpyBytes.dict("<f8", false, "(1, 2, 6, 6)"),
                io.clpool.io.NpyBytes.doubles(java.nio.ByteOrder.LITTLE_ENDIAN, doubles)));
        Npy.writeFloat32(dir.resolve("xl.npy"), new long[] {1, 6, 6, 2}, ramp(72));
        Npy.writeFloat32(dir.resolve("samples2d.npy"), new long[] {1, 2, 2}, new float[4]);
        Npy.writeFloat32(dir.resolve("samples3d.npy"), new long[] {1, 2, 3}, new float[6]);
        Npy.writeFloat32(dir.resolve("samples4.npy"), new long[] {1, 2, 4}, new float[8]);
        Npy.writeFloat32(dir.resolve("samples3dbad.npy"), new long[] {1, 2, 3}, new float[] {0f, 0f, 0f, 0f, -0.25f, 0f});
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                row("no command", "clpool: a command is required: devices, demo, forward, backward, unpool, check"),
                row("an unknown command", "Unmatched argument at index 0: 'froward'; did you mean forward or backward?", "froward"),
                row("an unknown flag", "Unknown options: '--kernal', '2'; did you mean --kernel?", "forward", "--kernal", "2", "--input", X, "--output", OUT),
                row("a missing required flag", "Missing required option: '--input=X.npy'", "forward", "--kernel", "2", "--output", OUT),
                row("an unknown op", "'maximum' should be one of max, min, avg", "forward", "--op", "maximum", "--kernel", "2", "--input", X, "--output", OUT),
                row("a kernel that is not a number", "'2,x' should be one integer, or one per spatial axis separated by commas",
                        "forward", "--kernel", "2,x", "--input", X, "--output", OUT),
                row("four kernel sizes", "'2,2,2,2' should be one integer, or one per spatial axis", "forward", "--kernel", "2,2,2,2",
                        "--input", X, "--output", OUT),
                row("three kernel sizes for a 4-D input", "--kernel 2,2,2 gives 3 values, but --input @x is 4-D (N,C,H,W): give one value"
                        + " for every axis or 2 (H,W)", "forward", "--kernel", "2,2,2", "--input", X, "--output", OUT),
                row("two kernel sizes for a 5-D input", "--kernel 2,2 gives 2 values, but --input @x5 is 5-D (N,C,D,H,W): give one value"
                        + " for every axis or 3 (D,H,W)", "forward", "--kernel", "2,2", "--input", "@x5", "--output", OUT),
                row("two kernel sizes for a 3-D input", "--kernel 2,2 gives 2 values, but --input @x3d is 3-D (N,C,L): give one value"
                        + " for every axis", "forward", "--kernel", "2,2", "--input", X3D, "--output", OUT),
                row("two strides for a 5-D input", "--stride 1,2 gives 2 values, but --input @x5 is 5-D (N,C,D,H,W)",
                        "forward", "--kernel", "2,2,2", "--stride", "1,2", "--input", "@x5", "--output", OUT),
                row("two paddings for a 5-D input", "--padding 1,1 gives 2 values, but --input @x5 is 5-D (N,C,D,H,W)",
                        "backward", "--kernel", "2", "--padding", "1,1", "--input", "@x5", "--grad-output", "@gy5", "--output", OUT),
                row("three dilations for a 4-D input", "--dilation 1,2,1 gives 3 values, but --input @x is 4-D (N,C,H,W)",
                        "forward", "--kernel", "2", "--dilation", "1,2,1", "--input", X, "--output", OUT),
                row("an adaptive size of two for a 5-D input", "--output-size 2,2 gives 2 values, but --input @x5 is 5-D (N,C,D,H,W)",
                        "forward", "--op", "adaptive-max", "--output-size", "2,2", "--input", "@x5", "--output", OUT),
                row("an adaptive size of three for a 4-D input", "--output-size 1,2,2 gives 3 values, but --input @x is 4-D (N,C,H,W)",
                        "forward", "--op", "adaptive-avg", "--output-size", "1,2,2", "--input", X, "--output", OUT),
                row("a 3-D kernel larger than the input", "Given input size (2x6x6x6), calculated output size (2x0x3x3) is too small",
                        "forward", "--kernel", "7,2,2", "--input", "@x5", "--output", OUT),
                row("a 3-D padding over half the kernel", "pad should be at most half of kernel size, but got padD=2, kernelD=3",
                        "forward", "--kernel", "3", "--padding", "2,1,1", "--input", "@x5", "--output", OUT),
                row("lp on a 5-D input with depth padding", "LP pooling padding should be 0 (lp_pool3d takes no padding), but got padD: 1,"
                        + " padH: 0, padW: 0", "forward", "--op", "lp", "--norm", "2", "--kernel", "2", "--padding", "1,0,0", "--input", "@x5",
                        "--output", OUT),
                row("fractional-max on a 5-D input with 2 samples per plane", "--samples gives 2 samples per plane (N x C x 2), but --input @x5"
                        + " is 5-D (N,C,D,H,W): give N x C x 3", "forward", "--op", "fractional-max", "--kernel", "2", "--output-size", "2",
                        "--samples", "@samples2d", "--input", "@x5", "--output", OUT),
                row("fractional-max on a 4-D input with 3 samples per plane", "--samples gives 3 samples per plane (N x C x 3), but --input @x"
                        + " is 4-D (N,C,H,W): give N x C x 2", "forward", "--op", "fractional-max", "--kernel", "2", "--output-size", "2",
                        "--samples", "@samples3d", "--input", X, "--output", OUT),
                row("fractional samples of 4 per plane", "should have the shape N x C x 2 (2-D) or N x C x 3 (3-D), but has [1, 2, 4]",
                        "forward", "--op", "fractional-max", "--kernel", "2", "--output-size", "2", "--samples", "@samples4",
                        "--input", "@x5", "--output", OUT),
                row("a negative 3-D fractional sample", "fractional sample should be in [0, 1), but got sample[0][1][1]: -0.25",
                        "forward", "--op", "fractional-max", "--kernel", "2", "--output-size", "2", "--samples", "@samples3dbad",
                        "--input", "@x5", "--output", OUT),
                row("fractional-max on a 5-D input, two output sizes", "--output-size 2,2 gives 2 values, but --input @x5 is 5-D (N,C,D,H,W)",
                        "forward", "--op", "fractional-max", "--kernel", "2", "--output-size", "2,2", "--seed", "1", "--input", "@x5", "--output", OUT),
                row("fractional-max on a 5-D input, two kernel sizes", "--kernel 2,2 gives 2 values, but --input @x5 is 5-D (N,C,D,H,W)",
                        "forward", "--op", "fractional-max", "--kernel", "2,2", "--output-size", "2", "--seed", "1", "--input", "@x5", "--output", OUT),
                row("3-D fractional-max output + kernel - 1 equal to the input (PyTorch's strict 3-D check)",
                        "fractional max pooling output depth + kernel depth - 1 should be less than the input depth 6, but got output 4, kernel 3",
                        "forward", "--op", "fractional-max", "--kernel", "3", "--output-size", "4,2,2", "--seed", "1", "--input", "@x5", "--output", OUT),
                row("fractional-max on a 3-D input", "--op fractional-max pools 4-D (N,C,H,W) and 5-D (N,C,D,H,W) inputs, but --input @x3d is 3-D (N,C,L)",
                        "forward", "--op", "fractional-max", "--kernel", "2", "--output-size", "2", "--seed", "1", "--input", X3D, "--output", OUT),
                row("a 4-D gradient for a 5-D input", "--grad-output @gy should be 5-D (N,C,D,H,W) as the input is, but has shape [1, 2, 3, 3]",
                        "backward", "--kernel", "2", "--input", "@x5", "--grad-output", GY, "--output", OUT),
                row("a 5-D gradient of the wrong shape", "--grad-output should have shape 1x2x2x2x2 (the max output of --input 1x2x6x6x6), but got 1x2x3x3x3",
                        "backward", "--kernel", "3", "--input", "@x5", "--grad-output", "@gy5", "--output", OUT),
                row("4-D indices for a 5-D input", "--indices @idx should be 5-D (N,C,D,H,W) as the input is, but has shape [1, 2, 3, 3]",
                        "backward", "--kernel", "2", "--input", "@x5", "--grad-output", "@gy5", "--indices", IDX, "--output", OUT),
                row("a zero kernel", "kernel size should be greater than zero", "forward", "--kernel", "0", "--input", X, "--output", OUT),
                row("padding over half the kernel", "pad should be at most half of kernel size, but got padH=2, kernelH=3",
                        "forward", "--kernel", "3", "--padding", "2", "--input", X, "--output", OUT),
                row("a kernel larger than the input", "calculated output size (2x0x0) is too small",
                        "forward", "--kernel", "7", "--input", X, "--output", OUT),
                row("no kernel", "--kernel is required by --op max", "forward", "--input", X, "--output", OUT),
                row("a flag of another op", "--norm does not apply to --op max", "forward", "--kernel", "2", "--norm", "2", "--input", X, "--output", OUT),
                row("lp without its norm", "--norm is required by --op lp", "forward", "--op", "lp", "--kernel", "2", "--input", X, "--output", OUT),
                row("adaptive without its size", "--output-size is required by --op adaptive-avg", "forward", "--op", "adaptive-avg", "--input", X, "--output", OUT),
                row("adaptive with a kernel", "--kernel does not apply to --op adaptive-max", "forward", "--op", "adaptive-max",
                        "--output-size", "2,2", "--kernel", "2", "--input", X, "--output", OUT),
                row("a zero divisor", "--divisor should be a positive integer, but got 0", "forward", "--op", "avg", "--kernel", "2",
                        "--divisor", "0", "--input", X, "--output", OUT),
                row("dilated average pooling", "average pooling dilation should be 1", "forward", "--op", "avg", "--kernel", "2",
                        "--dilation", "2", "--input", X, "--output", OUT),
                row("indices of an op without them", "--indices does not apply to --op avg", "forward", "--op", "avg", "--kernel", "2",
                        "--input", X, "--output", OUT, "--indices", "@out2"),
                row("a missing input file", "--input " + "@missing" + " does not exist", "forward", "--kernel", "2", "--input", "@missing", "--output", OUT),
                row("a malformed input file", "is not a .npy file", "forward", "--kernel", "2", "--input", BAD, "--output", OUT),
                row("a 2-D input", "--input @x2d should be a 3-D (N,C,L), 4-D (N,C,H,W) or 5-D (N,C,D,H,W) array with every dimension"
                        + " positive, but has shape [6, 6]", "forward", "--kernel", "2", "--input", "@x2d", "--output", OUT),
                row("a 6-D input", "but has shape [1, 1, 2, 2, 2, 2]", "forward", "--kernel", "2", "--input", "@x6d", "--output", OUT),
                row("an integer input", "should hold float16, float32 or float64 values, but has dtype int64", "forward", "--kernel", "2", "--input", INTS, "--output", OUT),
                row("an output in a missing directory", "does not exist", "forward", "--kernel", "2", "--input", X, "--output", "@nodir"),
                row("a bad device", "Invalid value for option '--device'", "forward", "--device", "tpu", "--kernel", "2", "--input", X, "--output", OUT),
                row("a gradient of the wrong shape", "--grad-output should have shape 1x2x2x2", "backward", "--kernel", "3",
                        "--input", X, "--grad-output", GY, "--output", OUT),
                row("indices of the wrong shape", "--indices should have shape 1x2x2x2", "backward", "--kernel", "3",
                        "--input", X, "--grad-output", "@gy2", "--indices", IDX, "--output", OUT),
                row("indices outside their windows", "index", "backward", "--kernel", "2", "--input", X, "--grad-output", GY,
                        "--indices", "@idxfar", "--output", OUT),
                row("float indices", "should hold int64 indices, but has dtype float32", "backward", "--kernel", "2",
                        "--input", X, "--grad-output", GY, "--indices", GY, "--output", OUT),
                row("unpool without a size", "--output-shape, --output-size or --kernel is required", "unpool", "--input", Y, "--indices", IDX, "--output", OUT),
                row("unpool with two sizes", "give either --output-shape or --kernel, not both", "unpool", "--input", Y, "--indices", IDX,
                        "--output-shape", "1,2,6,6", "--kernel", "2", "--output", OUT),
                row("an output shape of two numbers", "'1,6' should be three to five positive integers N,C,L, N,C,H,W or N,C,D,H,W",
                        "unpool", "--input", Y, "--indices", IDX, "--output-shape", "1,6", "--output", OUT),
                row("an output shape of three numbers for a 4-D input", "--output-shape 1,6,6 gives 3 values, but --input @y is 4-D (N,C,H,W):"
                        + " give N,C,H,W", "unpool", "--input", Y, "--indices", IDX, "--output-shape", "1,6,6", "--output", OUT),
                row("a 4-D output shape for a 5-D input", "--output-shape 1,2,6,6 gives 4 values, but --input @y5 is 5-D (N,C,D,H,W):"
                        + " give N,C,D,H,W", "unpool", "--input", "@y5", "--indices", "@idx5", "--output-shape", "1,2,6,6", "--output", OUT),
                row("an unpool output size of two for a 5-D input", "--output-size 6,6 gives 2 values, but --input @y5 is 5-D (N,C,D,H,W)",
                        "unpool", "--input", "@y5", "--indices", "@idx5", "--output-size", "6,6", "--output", OUT),
                row("unpool with an output shape and size", "give either --output-shape or --output-size, not both", "unpool", "--input", Y,
                        "--indices", IDX, "--output-shape", "1,2,6,6", "--output-size", "6", "--output", OUT),
                row("unpool with an output size and a kernel", "give either --output-size or --kernel, not both", "unpool", "--input", Y,
                        "--indices", IDX, "--output-size", "6", "--kernel", "2", "--output", OUT),
                row("unpool with 4-D indices for 5-D values", "--indices @idx should be 5-D (N,C,D,H,W) as the input is",
                        "unpool", "--input", "@y5", "--indices", IDX, "--kernel", "2", "--output", OUT),
                row("unpool with a two-value kernel for 5-D values", "--kernel 2,2 gives 2 values, but --input @y5 is 5-D (N,C,D,H,W)",
                        "unpool", "--input", "@y5", "--indices", "@idx5", "--kernel", "2,2", "--output", OUT),
                row("unpool 5-D indices outside the output volume", "index should be in [0, 8) for an unpooled plane of 2x2x2, but got index: 35",
                        "unpool", "--device", "cpu", "--input", "@y5", "--indices", "@wide5", "--output-size", "2", "--output", OUT),
                row("unpool to a shape of other planes", "batch and channels should be 1x2 as the input's", "unpool", "--device", "cpu", "--input", Y, "--indices", IDX,
                        "--output-shape", "1,1,6,6", "--output", OUT),
                row("unpool indices outside the output plane", "index should be in [0, 4) for an unpooled plane of 2x2, but got index: 35", "unpool", "--device", "cpu", "--input", Y, "--indices", "@wideidx",
                        "--output-shape", "1,2,2,2", "--output", OUT),
                row("fractional-max without samples or seed", "--samples or --seed is required by --op fractional-max", "forward",
                        "--op", "fractional-max", "--kernel", "2", "--output-size", "3,3", "--input", X, "--output", OUT),
                row("fractional-max with samples and seed", "--samples and --seed exclude each other", "forward", "--op", "fractional-max",
                        "--kernel", "2", "--output-size", "3,3", "--seed", "1", "--samples", "@samples1", "--input", X, "--output", OUT),
                row("fractional-max without its size", "--output-size is required by --op fractional-max", "forward",
                        "--op", "fractional-max", "--kernel", "2", "--seed", "1", "--input", X, "--output", OUT),
                row("fractional-max with a stride", "--stride does not apply to --op fractional-max", "forward", "--op", "fractional-max",
                        "--kernel", "2", "--stride", "1", "--output-size", "3,3", "--seed", "1", "--input", X, "--output", OUT),
                row("fractional-max output + kernel - 1 past the input", "at most the input height 6", "forward", "--op", "fractional-max",
                        "--kernel", "3", "--output-size", "5,3", "--seed", "1", "--input", X, "--output", OUT),
                row("fractional samples of other channels", "fractional samples' channels (size(1)) should be the input's 2", "forward",
                        "--device", "cpu", "--op", "fractional-max", "--kernel", "2", "--output-size", "3,3", "--samples", "@samples3c",
                        "--input", X, "--output", OUT),
                row("a fractional sample of 1", "fractional sample should be in [0, 1)", "forward", "--op", "fractional-max",
                        "--kernel", "2", "--output-size", "3,3", "--samples", "@samples1", "--input", X, "--output", OUT),
                row("a seed for another op", "--seed does not apply to --op max", "forward", "--kernel", "2", "--seed", "1",
                        "--input", X, "--output", OUT),
                row("an unknown --dtype", "Invalid value for option '--dtype': 'float8' should be float32, float16, bfloat16 or float64",
                        "forward", "--kernel", "2", "--dtype", "float8", "--input", X, "--output", OUT),
                row("a float32 gradient for a float64 input", "--grad-output @gy holds float32, but --input @x64 holds float64: without"
                        + " --dtype every float file must have the input's dtype; give --dtype to round them all to one type",
                        "backward", "--kernel", "2", "--input", "@x64", "--grad-output", GY, "--output", OUT),
                row("a float32 gradient for a float16 input", "--grad-output @gy holds float32, but --input @xh holds float16: without"
                        + " --dtype every float file must have the input's dtype; give --dtype to round them all to one type",
                        "backward", "--kernel", "2", "--input", "@xh", "--grad-output", GY, "--output", OUT),
                row("a float16 gradient for a float32 input", "--grad-output @gyh holds float16, but --input @x holds float32",
                        "backward", "--kernel", "2", "--input", X, "--grad-output", "@gyh", "--output", OUT),
                row("an integer input with --dtype", "should hold float16, float32 or float64 values, but has dtype int64",
                        "forward", "--kernel", "2", "--dtype", "float16", "--input", INTS, "--output", OUT),
                row("--channels-last with a 3-D input", "--channels-last takes 4-D (N,H,W,C) and 5-D (N,D,H,W,C) files, but --input @x3d"
                        + " is 3-D (N,C,L): PyTorch has no channels-last form of N,C,L tensors; leave out --channels-last",
                        "forward", "--kernel", "2", "--channels-last", "--input", X3D, "--output", OUT),
                row("--channels-last with 3-D values to unpool", "--channels-last takes 4-D (N,H,W,C) and 5-D (N,D,H,W,C) files",
                        "unpool", "--kernel", "2", "--channels-last", "--input", X3D, "--indices", IDX, "--output", OUT),
                row("a channels-last gradient of the wrong shape", "--grad-output should have shape 1x3x3x2 (N,H,W,C) (the max output of"
                        + " --input 1x6x6x2 (N,H,W,C)), but got 1x2x3x3 (N,H,W,C)", "backward", "--kernel", "2", "--channels-last",
                        "--input", "@xl", "--grad-output", GY, "--output", OUT),
                row("a channels-last output shape of three numbers", "--output-shape 1,6,6 gives 3 values, but --input @y is 4-D"
                        + " (N,H,W,C): give N,H,W,C", "unpool", "--channels-last", "--input", Y, "--indices", IDX, "--output-shape", "1,6,6",
                        "--output", OUT),
                row("check with an unknown op", "--ops should list ops among", "check", "--device", "cpu", "--ops", "max,median"),
                row("check with an unknown 3-D op", "--ops should list ops among max, min, avg, lp, adaptive-max, adaptive-avg, fractional-max,"
                        + " unpool, max3d, min3d, avg3d, lp3d, adaptive-max3d, adaptive-avg3d, unpool3d, but got 'fractional-max3d'",
                        "check", "--device", "cpu", "--ops", "max3d,fractional-max3d"),
                row("demo's rgb without an image", "--image is required by --rgb", "demo", "--device", "cpu", "--rgb", "--out", OUT),
                row("demo with a missing image", "--image " + "@missing" + " does not exist", "demo", "--device", "cpu", "--image", "@missing", "--out", OUT),
                row("demo with a file that is no image", "is not an image", "demo", "--device", "cpu", "--image", X, "--out", OUT));
    }

    private static Arguments row(String mistake, String expected, String... args) {
        return Arguments.of(mistake, expected, List.of(args));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void exitsTwoWithOneLineAndWritesNothing(String mistake, String expected, List<String> args) throws IOException {
        Npy.writeFloat32(dir.resolve("gy2.npy"), new long[] {1, 2, 2, 2}, ramp(8));
        int[] far = new int[18];
        far[17] = 0; // the last window of a 2x2 stride-2 pooling of 6x6 cannot hold element 0
        Npy.writeInt64(dir.resolve("idxfar.npy"), new long[] {1, 2, 3, 3}, far);
        Npy.writeInt64(dir.resolve("wideidx.npy"), new long[] {1, 2, 3, 3}, new int[] {0, 0, 0, 0, 0, 0, 0, 0, 35, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        int[] wide5 = new int[54];
        wide5[8] = 35;
        Npy.writeInt64(dir.resolve("wide5.npy"), new long[] {1, 2, 3, 3, 3}, wide5);
        List<String> before = listing();
        List<String> resolved = new ArrayList<>();
        for (String arg : args) {
            resolved.add(resolve(arg));
        }
        CliRun run = CliRun.of(resolved);
        assertEquals(2, run.exitCode(), run::toString);
        assertEquals(1, run.errLines().size(), () -> "one line on stderr: " + run);
        assertTrue(run.err().contains(resolve(expected)), () -> "expected '" + resolve(expected) + "' in: " + run);
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), () -> "no stack trace: " + run);
        assertEquals(before, listing(), "nothing written");
    }

    @Test
    void verbosePrintsTheStackTraceOfAUsageError() {
        CliRun run = CliRun.of("forward", "--verbose", "--device", "cpu", "--kernel", "3", "--padding", "2",
                "--input", dir.resolve("x.npy").toString(), "--output", dir.resolve("y.npy").toString());
        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("IllegalArgumentException") && run.err().contains("\tat "), run::toString);
    }

    @Test
    void anExistingOutputSurvivesAFailedRun() throws IOException {
        Path out = dir.resolve("y.npy");
        byte[] before = Files.readAllBytes(out);
        CliRun run = CliRun.of("forward", "--device", "cpu", "--kernel", "9", "--input", dir.resolve("x.npy").toString(),
                "--output", out.toString());
        assertEquals(2, run.exitCode(), run::toString);
        assertEquals(List.of(before.length), List.of(Files.readAllBytes(out).length));
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(out)), "the old output is untouched");
    }

    private String resolve(String text) {
        return text.replace("@x64", dir.resolve("x64.npy").toString()).replace("@xh", dir.resolve("xh.npy").toString())
                .replace("@gyh", dir.resolve("gyh.npy").toString()).replace("@xl", dir.resolve("xl.npy").toString())
                .replace("@x5", dir.resolve("x5.npy").toString()).replace("@gy5", dir.resolve("gy5.npy").toString())
                .replace("@y5", dir.resolve("y5.npy").toString()).replace("@idx5", dir.resolve("idx5.npy").toString())
                .replace("@wide5", dir.resolve("wide5.npy").toString()).replace("@x2d", dir.resolve("x2d.npy").toString())
                .replace("@x6d", dir.resolve("x6d.npy").toString())
                .replace("@samples3c", dir.resolve("samples3c.npy").toString())
                .replace("@samples2d", dir.resolve("samples2d.npy").toString())
                .replace("@samples3dbad", dir.resolve("samples3dbad.npy").toString())
                .replace("@samples3d", dir.resolve("samples3d.npy").toString())
                .replace("@samples4", dir.resolve("samples4.npy").toString())
                .replace("@samples1", dir.resolve("samples1.npy").toString())
                .replace("@wideidx", dir.resolve("wideidx.npy").toString()).replace(X3D, dir.resolve("x3d.npy").toString()).replace(INTS, dir.resolve("ints.npy").toString())
                .replace("@gy2", dir.resolve("gy2.npy").toString()).replace("@idxfar", dir.resolve("idxfar.npy").toString())
                .replace(X, dir.resolve("x.npy").toString()).replace(GY, dir.resolve("gy.npy").toString())
                .replace(IDX, dir.resolve("idx.npy").toString()).replace("@out2", dir.resolve("out2.npy").toString())
                .replace(OUT, dir.resolve("out.npy").toString()).replace(BAD, dir.resolve("bad.npy").toString())
                .replace(Y, dir.resolve("y.npy").toString()).replace("@missing", dir.resolve("missing.npy").toString())
                .replace("@nodir", dir.resolve("no/such/dir/out.npy").toString());
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static float[] ramp(int n) {
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (i * 7 % 11) - 5f;
        }
        return data;
    }
}
