package io.clpool.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clpool.Validation;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The size limits every backend relies on (issue 10): sizes of windows and planes whose products
 * or sums pass 2^31 are either computed in long or rejected by name before any device work.
 * Validation only: nothing here allocates a large array.
 */
class SizeLimitsTest {

    @Test
    void tapsAreALongProduct() {
        assertEquals(2_147_488_281L, PoolSpec.of(46341).taps());
        assertEquals(2_147_483_650L, PoolSpec.of(2, 1_073_741_825).taps());
        assertEquals((long) Integer.MAX_VALUE * Integer.MAX_VALUE, PoolSpec.of(Integer.MAX_VALUE).taps());
    }

    @Test
    void windowsWithMoreThan2pow31TapsAreAcceptedWhenTheirCoordinatesFitAnInt() {
        // The crashing example: a 46341x46341 window over one element, padded by 23170.
        PoolSpec spec = PoolSpec.of(46341).withPadding(23170);
        assertEquals(Shape.of(1, 1, 1, 1), spec.outputShape(Shape.of(1, 1, 1, 1)));
        PoolSpec wide = new PoolSpec(2, 1_073_741_825, 2, 1_073_741_825, 0, 536_870_912, 1, 1, false);
        assertEquals(Shape.of(1, 1, 1, 1), wide.outputShape(Shape.of(1, 1, 2, 1)));
    }

    @Test
    void disjointnessIsDecidedWithoutOverflow() {
        // dilation·(kernel − 1) + 1 = 3·2^30 + 1 wraps to a negative int.
        PoolSpec spec = new PoolSpec(4, 1, Integer.MAX_VALUE, 1, 0, 0, 1 << 30, 1, false);
        assertEquals(false, spec.windowsDisjoint());
    }

    @Test
    void planeBoundaryIs46340Squared() {
        PoolSpec spec = PoolSpec.of(1);
        assertEquals(Shape.of(1, 1, 46340, 46340), spec.outputShape(Shape.of(1, 1, 46340, 46340)));
        assertEquals(Shape.of(1, 1, 1, Integer.MAX_VALUE), spec.outputShape(Shape.of(1, 1, 1, Integer.MAX_VALUE)));
        assertEquals(Shape.of(1, 1, 46340, 46340), AdaptiveWindows.outputShape(Shape.of(1, 1, 46340, 46340), 46340, 46340));
        assertEquals(Shape.of(1, 1, 46340, 46340), spec.unpoolOutputShape(Shape.of(1, 1, 46340, 46340)));
        Validation.requireUnpoolShapes(Shape.of(1, 1, 1, 1), Shape.of(1, 1, 1, 1), Shape.of(1, 1, 46340, 46340));
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
            row("input plane", () -> PoolSpec.of(1).outputShape(Shape.of(1, 1, 46341, 46341)),
                    "the input plane should be at most 2147483647 elements (indices are int32 offsets inside a plane), "
                    + "but got input H x W: 46341x46341 = 2147488281"),
            row("output plane", () -> PoolSpec.of(1).withStride(1, 1).outputShape(Shape.of(1, 1, 46341, 46341)),
                    "the input plane should be at most 2147483647 elements (indices are int32 offsets inside a plane), "
                    + "but got input H x W: 46341x46341 = 2147488281"),
            row("output plane larger than the input plane", () -> new PoolSpec(2, 2, 1, 1, 1, 1, 1, 1, false)
                            .outputShape(Shape.of(1, 1, 46340, 46340)),
                    "the output plane should be at most 2147483647 elements (indices are int32 offsets inside a plane), "
                    + "but got output H x W: 46341x46341 = 2147488281"),
            row("adaptive input plane", () -> AdaptiveWindows.outputShape(Shape.of(1, 1, 46341, 46341), 1, 1),
                    "the input plane should be at most 2147483647 elements (indices are int32 offsets inside a plane), "
                    + "but got input H x W: 46341x46341 = 2147488281"),
            row("adaptive output plane", () -> AdaptiveWindows.outputShape(Shape.of(1, 1, 1, 1), 46341, 46341),
                    "the output plane should be at most 2147483647 elements (indices are int32 offsets inside a plane), "
                    + "but got output H x W: 46341x46341 = 2147488281"),
            row("unpooled plane", () -> PoolSpec.of(2).unpoolOutputShape(Shape.of(1, 1, 23171, 23171)),
                    "the unpooled output plane should be at most 2147483647 elements (indices are int32 offsets inside a plane), "
                    + "but got unpooled output H x W: 46342x46342 = 2147580964"),
            row("unpool output shape", () -> { Validation.requireUnpoolShapes(Shape.of(1, 1, 1, 1), Shape.of(1, 1, 1, 1),
                            Shape.of(1, 1, 46341, 46341)); return null; },
                    "the unpooled output plane should be at most 2147483647 elements (indices are int32 offsets inside a plane), "
                    + "but got unpooled output H x W: 46341x46341 = 2147488281"),
            row("unpool pooled plane", () -> { Validation.requireUnpoolShapes(Shape.of(1, 1, 46341, 46341),
                            Shape.of(1, 1, 46341, 46341), Shape.of(1, 1, 1, 1)); return null; },
                    "the pooled plane should be at most 2147483647 elements (indices are int32 offsets inside a plane), "
                    + "but got pooled H x W: 46341x46341 = 2147488281"),
            row("unpooled size per axis", () -> new PoolSpec(2, 1, Integer.MAX_VALUE, 1, 0, 0, 1, 1, false)
                            .unpoolOutputShape(Shape.of(1, 1, 3, 1)),
                    "the unpooled size should be at most 2147483647 per axis, but got (4294967296x1) from pooled 1x1x3x1 and "
                    + "kernel=2x1 stride=2147483647x1 padding=0x0 dilation=1x1"),
            row("padded input", () -> PoolSpec.of(1, 4).withPadding(0, 2).outputShape(Shape.of(1, 1, 1, Integer.MAX_VALUE - 2)),
                    "the padded input size along W should be at most 2147483647, but got inputW + 2*padW: 2147483645 + 2*2 = 2147483649"),
            row("reach of ceil-mode windows", () -> new PoolSpec(1, 2, 1, 740_000_000, 0, 0, 1, 750_000_000, true)
                            .outputShape(Shape.of(1, 1, 1, 1_500_000_000)),
                    "the reach of the pooling windows along W should be at most 2147483647, but got "
                    + "(outputW - 1)*strideW + max(strideW, dilationW*(kernelW - 1) + 1): (3 - 1)*740000000 + max(740000000, 750000001) = 2230000001"),
            row("reach of stride bands", () -> new PoolSpec(1, 2, 1, 1 << 30, 0, 0, 1, 1, false)
                            .outputShape(Shape.of(1, 1, 1, Integer.MAX_VALUE)),
                    "the reach of the pooling windows along W should be at most 2147483647, but got "
                    + "(outputW - 1)*strideW + max(strideW, dilationW*(kernelW - 1) + 1): (2 - 1)*1073741824 + max(1073741824, 2) = 2147483648"),
            row("element count past a long", () -> Shape.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE),
                    "the element count of a shape should be at most 1152921504606846975 (its size in bytes, 8 per int64 index, "
                    + "must fit a long), but got shape: 2147483647x2147483647x2147483647x2147483647"),
            row("LP norm infinite in float", () -> Validation.lpPooledShape(Shape.of(1, 1, 2, 2), PoolSpec.of(2), 1e308),
                    "LP pooling norm should be positive and finite in float, with a finite reciprocal, "
                    + "but got norm: 1.0E308 (as a float: Infinity, reciprocal 0.0)"),
            row("LP norm zero in float", () -> Validation.lpPooledShape(Shape.of(1, 1, 2, 2), PoolSpec.of(2), 1e-50),
                    "LP pooling norm should be positive and finite in float, with a finite reciprocal, "
                    + "but got norm: 1.0E-50 (as a float: 0.0, reciprocal Infinity)"),
            row("LP norm whose reciprocal is infinite in float", () -> Validation.lpPooledShape(Shape.of(1, 1, 2, 2), PoolSpec.of(2), 1e-45),
                    "LP pooling norm should be positive and finite in float, with a finite reciprocal, "
                    + "but got norm: 1.0E-45 (as a float: 1.4E-45, reciprocal Infinity)")
        );
    }

    private static Arguments row(String reason, Supplier<Object> build, String message) {
        return Arguments.of(reason, build, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectedByName(String reason, Supplier<Object> build, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get, reason);
        assertEquals(message, e.getMessage());
    }

    @Test
    void theLargestNormIsAccepted() {
        assertEquals(Shape.of(1, 1, 1, 1), Validation.lpPooledShape(Shape.of(1, 1, 2, 2), PoolSpec.of(2), Float.MAX_VALUE));
    }

    /**
     * Checking that every window touches the input took, per window, as many steps as the window
     * has padding taps before its first input tap: about 2^53 steps here, a hang. Now O(1) per
     * window (and nothing at all without dilation, where no window can miss the input).
     */
    @Test
    @Timeout(10)
    void windowCoverageIsCheckedInConstantTimePerWindow() {
        PoolSpec wide = PoolSpec.of(1, 1 << 28).withStride(1).withPadding(0, 1 << 27);
        assertEquals(Shape.of(1, 1, 1, (1 << 28) + 1), wide.outputShape(Shape.of(1, 1, 1, 1 << 28)));
        PoolSpec dilated = PoolSpec.of(1, 1 << 27).withStride(1).withPadding(0, 1 << 26).withDilation(1, 2);
        assertEquals(Shape.of(1, 1, 1, (1 << 27) + 2), dilated.outputShape(Shape.of(1, 1, 1, 1 << 28)));
    }

    @Test
    void saturatingMultiplyReadsAnOverflowAsTooLarge() {
        assertEquals(12L, Checks.saturatingMultiply(3, 4));
        assertEquals(Long.MAX_VALUE, Checks.saturatingMultiply(2L * 46339 * 46339, PoolSpec.of(46340).taps() * 4));
        assertEquals(Long.MAX_VALUE, Checks.saturatingMultiply(1L << 62, 2));
        assertEquals(1L << 62, Checks.saturatingMultiply(1L << 61, 2));
    }
}
