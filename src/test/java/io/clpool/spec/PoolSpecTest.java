package io.clpool.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
            row("negative divisor", () -> new AvgOptions(true, -2), "divisor_override should be positive (or 0 for none), but got divisor: -2")
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
