package io.clpool.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clpool.PoolOp;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PoolSpecTest {

    @Test
    void strideDefaultsToKernel() {
        PoolSpec spec = PoolSpec.of(2, 3);
        assertEquals(2, spec.strideH());
        assertEquals(3, spec.strideW());
        assertEquals(0, spec.padH());
        assertEquals(1, spec.dilationW());
    }

    @Test
    void seedExampleHalvesMnist() {
        assertEquals(Shape.of(1, 1, 14, 14), PoolSpec.of(2).withStride(2).outputShape(Shape.of(1, 1, 28, 28)));
    }

    /** Values checked against torch.nn.functional.max_pool2d output sizes. */
    @ParameterizedTest(name = "i={0} k={1} s={2} p={3} d={4} ceil={5} -> {6}")
    @CsvSource({
        "28, 2, 2, 0, 1, false, 14",
        "7, 2, 2, 0, 1, false, 3",
        "7, 2, 2, 0, 1, true, 4",
        "5, 3, 2, 1, 1, false, 3",
        "5, 3, 2, 1, 1, true, 3",   // ceil would add a window starting at 6 >= i + p = 6: dropped
        "6, 3, 2, 1, 1, true, 4",   // last window starts at 5 < i + p = 7: kept
        "93, 5, 3, 2, 2, false, 30",
        "1, 1, 1, 0, 1, false, 1",
        "1, 2, 2, 1, 1, true, 1",
        "10, 2, 3, 0, 1, false, 3",  // stride > kernel
        "10, 2, 3, 0, 1, true, 4",
        "17, 3, 1, 1, 2, false, 15",
    })
    void outputLengthFollowsPyTorch(long i, int k, int s, int p, int d, boolean ceil, long expected) {
        assertEquals(expected, PoolSpec.outputLength(i, k, s, p, d, ceil));
    }

    /**
     * 3-D windows: §2's rule on each of D, H and W on its own (each row also follows from the
     * per-axis table above), on awkward sizes: 1, 7, non-cubic inputs and kernels, stride above
     * the kernel, padding with dilation on one axis, and ceil mode that keeps a window on one axis
     * and drops it on another.
     */
    @ParameterizedTest(name = "{0}x{1}x{2} k={3}x{4}x{5} s={6}x{7}x{8} p={9}x{10}x{11} d={12}x{13}x{14} ceil={15} -> {16}x{17}x{18}")
    @CsvSource({
        "1, 1, 1,   1, 1, 1,   1, 1, 1,   0, 0, 0,   1, 1, 1,  false,  1, 1, 1",
        "1, 28, 28, 1, 2, 2,   1, 2, 2,   0, 0, 0,   1, 1, 1,  false,  1, 14, 14", // depth 1 as in a 2-D layer
        "7, 7, 7,   2, 2, 2,   2, 2, 2,   0, 0, 0,   1, 1, 1,  false,  3, 3, 3",
        "7, 7, 7,   2, 2, 2,   2, 2, 2,   0, 0, 0,   1, 1, 1,  true,   4, 4, 4",
        "7, 28, 5,  1, 2, 3,   1, 2, 3,   0, 0, 0,   1, 1, 1,  false,  7, 14, 1", // non-cubic input and kernel
        "10, 7, 9,  2, 2, 2,   3, 3, 3,   0, 0, 0,   1, 1, 1,  false,  3, 2, 3", // stride > kernel
        // ceil mode: D and H gain a window that starts inside the input; W's would start at 9 >= i + p = 9: dropped
        "10, 7, 9,  2, 2, 2,   3, 3, 3,   0, 0, 0,   1, 1, 1,  true,   4, 3, 3",
        "5, 6, 7,   3, 3, 3,   2, 2, 2,   1, 1, 1,   1, 2, 1,  false,  3, 2, 4", // dilation on H only
        "5, 6, 7,   3, 3, 3,   2, 2, 2,   1, 1, 1,   1, 2, 1,  true,   3, 3, 4",
        // the sizes PyTorch 2.11 gave in conformance2's case0001-max3d, case0033-max3d and case0048-max3d
        "6, 5, 3,   2, 2, 1,   2, 2, 1,   1, 0, 0,   2, 2, 2,  false,  3, 2, 3",
        "3, 13, 10, 2, 2, 3,   1, 1, 3,   1, 1, 1,   1, 1, 1,  true,   4, 14, 4",
        "10, 10, 8, 1, 4, 1,   1, 4, 1,   0, 2, 0,   1, 1, 1,  true,   10, 3, 8",  // H's 4th window would start at 12 >= i + p
    })
    void volumetricOutputShapeFollowsTheRulePerAxis(int d, int h, int w, int kd, int kh, int kw, int sd, int sh, int sw,
                                                    int pd, int ph, int pw, int dd, int dh, int dw, boolean ceil,
                                                    int od, int oh, int ow) {
        PoolSpec spec = new PoolSpec(kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, ceil, 3);
        assertEquals(Shape.of(2, 3, od, oh, ow), spec.outputShape(Shape.of(2, 3, d, h, w)));
        assertEquals(od, PoolSpec.outputLength(d, kd, sd, pd, dd, ceil), "D alone");
        assertEquals(oh, PoolSpec.outputLength(h, kh, sh, ph, dh, ceil), "H alone");
        assertEquals(ow, PoolSpec.outputLength(w, kw, sw, pw, dw, ceil), "W alone");
    }

    @Test
    void volumetricFactoriesSetEveryAxis() {
        PoolSpec spec = PoolSpec.of3d(2, 3, 4).withStride(1, 2, 3).withPadding(1, 1, 2).withDilation(3, 2, 1).withCeilMode(true);
        assertEquals(new PoolSpec(2, 3, 4, 1, 2, 3, 1, 1, 2, 3, 2, 1, true, 3), spec);
        assertEquals(24, spec.taps());
        assertEquals(PoolSpec.of3d(3, 3, 3).withStride(2, 2, 2), PoolSpec.of3d(3).withStride(2));
        assertEquals("kernel=2x3x4 stride=1x2x3 padding=1x1x2 dilation=3x2x1 ceil", spec.toString());
    }

    /** PyTorch's default {@code max_unpool3d} size, {@code (i − 1)·s − 2p + k} on each axis. */
    @Test
    void volumetricUnpoolingDefaultsToTheSpecsSizePerAxis() {
        PoolSpec spec = PoolSpec.of3d(2, 3, 2).withStride(2, 2, 1).withPadding(1, 1, 0);
        Shape pooled = Shape.of(1, 2, 3, 4, 5);
        // D: 2·2 − 2 + 2 = 4, H: 3·2 − 2 + 3 = 7, W: 4·1 − 0 + 2 = 6
        assertEquals(Shape.of(1, 2, 4, 7, 6), spec.unpoolOutputShape(pooled));
        assertEquals(PoolOp.maxUnpool3d(4, 7, 6), PoolOp.maxUnpool(spec, pooled));
        assertEquals(Shape.of(1, 2, 4, 7, 6), PoolOp.maxUnpool(spec, pooled).outputShape(pooled));
        // Undoing a pooling: the default size gives back the pooled input's size when the windows tile it.
        Shape input = Shape.of(1, 1, 4, 6, 2);
        PoolSpec tiling = PoolSpec.of3d(2, 3, 1);
        assertEquals(input, tiling.unpoolOutputShape(tiling.outputShape(input)));
    }

    static Stream<Arguments> invalidConfigurations() {
        return Stream.of(
            row("zero kernel", () -> PoolSpec.of(0, 2), "kernel size should be greater than zero, but got kernelH: 0, kernelW: 2"),
            row("negative kernel", () -> PoolSpec.of(3, -1), "kernel size should be greater than zero, but got kernelH: 3, kernelW: -1"),
            row("zero stride", () -> PoolSpec.of(2).withStride(0), "stride should be greater than zero, but got strideH: 0, strideW: 0"),
            row("zero dilation", () -> PoolSpec.of(2).withDilation(1, 0), "dilation should be greater than zero, but got dilationH: 1, dilationW: 0"),
            row("negative padding", () -> PoolSpec.of(3).withPadding(-1, 0), "padding should be non-negative, but got padH: -1, padW: 0"),
            row("padding over half the kernel", () -> PoolSpec.of(3).withPadding(2, 0), "pad should be at most half of kernel size, but got padH=2, kernelH=3"),
            row("padding over half the kernel width", () -> PoolSpec.of(3, 2).withPadding(1, 2), "pad should be at most half of kernel size, but got padW=2, kernelW=2"),
            row("output too small", () -> PoolSpec.of(5).outputShape(Shape.of(1, 3, 4, 4)), "Given input size (3x4x4), calculated output size (3x0x0) is too small"),
            row("dilated window too large", () -> PoolSpec.of(3).withDilation(2).outputShape(Shape.of(1, 1, 4, 9)), "Given input size (1x4x9), calculated output size (1x0x2) is too small"),
            row("window only on padding", () -> PoolSpec.of(2).withStride(1).withPadding(1).withDilation(3).outputShape(Shape.of(1, 1, 2, 5)),
                    "the pooling window of output row 0 covers only padding, but got inputH=2, kernelH=2, strideH=1, padH=1, dilationH=3"),
            row("zero dimension", () -> Shape.of(1, 0, 4, 4), "every dimension of a shape should be positive, but got shape: 1x0x4x4"),
            row("3-D shape", () -> Shape.of(new long[] {1, 4, 4}), "the shape should be 4-D (N, C, H, W) or 5-D (N, C, D, H, W), but got 3-D [1, 4, 4]"),
            row("negative divisor", () -> new AvgOptions(true, -2), "divisor_override should be positive (or 0 for none), but got divisor: -2"),
            // 3-D windows and ranks
            row("zero 3-D kernel", () -> PoolSpec.of3d(2, 0, 2), "kernel size should be greater than zero, but got kernelD: 2, kernelH: 0, kernelW: 2"),
            row("zero depth stride", () -> PoolSpec.of3d(2).withStride(0, 1, 1), "stride should be greater than zero, but got strideD: 0, strideH: 1, strideW: 1"),
            row("negative depth padding", () -> PoolSpec.of3d(3).withPadding(-1, 0, 0), "padding should be non-negative, but got padD: -1, padH: 0, padW: 0"),
            row("depth padding over half the kernel", () -> PoolSpec.of3d(2, 3, 3).withPadding(2, 1, 1), "pad should be at most half of kernel size, but got padD=2, kernelD=2"),
            row("3-D output too small", () -> PoolSpec.of3d(3).outputShape(Shape.of(1, 2, 2, 5, 5)), "Given input size (2x2x5x5), calculated output size (2x0x1x1) is too small"),
            row("3-D output too small along W only", () -> PoolSpec.of3d(1, 1, 7).outputShape(Shape.of(1, 1, 1, 1, 6)), "Given input size (1x1x1x6), calculated output size (1x1x1x0) is too small"),
            row("depth window only on padding", () -> PoolSpec.of3d(2).withStride(1).withPadding(1).withDilation(3, 1, 1).outputShape(Shape.of(1, 1, 2, 5, 5)),
                    "the pooling window of output depth slice 0 covers only padding, but got inputD=2, kernelD=2, strideD=1, padD=1, dilationD=3"),
            row("2-D spec on a 5-D input", () -> PoolSpec.of(2).outputShape(Shape.of(1, 3, 4, 6, 6)),
                    "the input of a 2-D pooling should be 4-D (N, C, H, W), but got 5-D 1x3x4x6x6"),
            row("3-D spec on a 4-D input", () -> PoolSpec.of3d(2).outputShape(Shape.of(1, 3, 6, 6)),
                    "the input of a 3-D pooling should be 5-D (N, C, D, H, W), but got 4-D 1x3x6x6"),
            row("3-D spec on a 4-D pooled input to unpool", () -> PoolSpec.of3d(2).unpoolOutputShape(Shape.of(1, 3, 6, 6)),
                    "the pooled input of a 3-D pooling should be 5-D (N, C, D, H, W), but got 4-D 1x3x6x6"),
            row("3-D adaptive size on a 4-D input", () -> PoolOp.adaptiveMax3d(2, 2, 2).outputShape(Shape.of(1, 3, 6, 6)),
                    "the input of a 3-D adaptive pooling should be 5-D (N, C, D, H, W), but got 4-D 1x3x6x6"),
            row("2-D adaptive size on a 5-D input", () -> PoolOp.adaptiveAvg(2, 2).outputShape(Shape.of(1, 3, 4, 6, 6)),
                    "the input of a 2-D adaptive pooling should be 4-D (N, C, H, W), but got 5-D 1x3x4x6x6"),
            row("zero 3-D adaptive size", () -> PoolOp.adaptiveAvg3d(0, 2, 2), "adaptive output size should be greater than zero, but got outputD: 0, outputH: 2, outputW: 2"),
            row("3-D unpooling of 4-D values", () -> PoolOp.maxUnpool3d(2, 4, 4).outputShape(Shape.of(1, 1, 2, 2)),
                    "the input of a 3-D max unpooling should be 5-D, but got 4-D 1x1x2x2"),
            row("3-D LP pooling with depth padding", () -> PoolOp.lp(PoolSpec.of3d(2).withPadding(1, 0, 0), 2),
                    "LP pooling padding should be 0 (lp_pool3d takes no padding), but got padD: 1, padH: 0, padW: 0"),
            row("3-D LP pooling with depth dilation", () -> PoolOp.lp(PoolSpec.of3d(2).withDilation(2, 1, 1), 2),
                    "LP pooling dilation should be 1, but got dilationD: 2, dilationH: 1, dilationW: 1"),
            row("3-D average pooling with dilation", () -> PoolOp.avg(PoolSpec.of3d(2).withDilation(1, 2, 1)),
                    "average pooling dilation should be 1, but got dilationD: 1, dilationH: 2, dilationW: 1"),
            row("3-D average pooling with depth dilation", () -> PoolOp.avg(PoolSpec.of3d(2).withDilation(2, 1, 1)),
                    "average pooling dilation should be 1, but got dilationD: 2, dilationH: 1, dilationW: 1")
        );
    }

    private static Arguments row(String reason, Supplier<Object> build, String message) {
        return Arguments.of(reason, build, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigurations")
    void invalidConfigurationIsRejectedWithItsValues(String reason, Supplier<Object> build, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get, reason);
        assertEquals(message, e.getMessage());
    }
}
