package io.clpool.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clpool.Tensor;
import org.junit.jupiter.api.Test;

class ShapeTest {

    @Test
    void elementCountsAreLongAndNeverOverflow() {
        Shape huge = Shape.of(65536, 65536, 1024, 1024);
        assertEquals(1L << 52, huge.elementCount());
        assertEquals(1L << 20, huge.planeSize());
    }

    @Test
    void hostTensorsLargerThanAJavaArrayAreRejectedWithTheCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(Shape.of(65536, 65536, 1, 1)));
        assertEquals("the element count of a host tensor should be at most 2147483639, but got shape 65536x65536x1x1 "
                + "with 4294967296 elements", e.getMessage());
    }

    /** Positions are row-major over (n, c, d, h, w); a 4-D position has no depth, and a 5-D tensor refuses one without it. */
    @Test
    void fiveDimensionalOffsetsAreRowMajorInTheVolume() {
        Tensor volume = Tensor.zeros(Shape.of(2, 3, 4, 5, 6));
        assertEquals(0, volume.offset(0, 0, 0, 0, 0));
        assertEquals(1 * 3 * 120 + 2 * 120 + 3 * 30 + 4 * 6 + 5, volume.offset(1, 2, 3, 4, 5));
        assertEquals(volume.data().length - 1, volume.offset(1, 2, 3, 4, 5));
        volume.data()[volume.offset(1, 0, 2, 1, 3)] = 7f;
        assertEquals(7f, volume.get(1, 0, 2, 1, 3));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> volume.offset(1, 2, 4, 5));
        assertEquals("a 5-D tensor (2x3x4x5x6) needs a depth coordinate, but got (n=1, c=2, h=4, w=5)", e.getMessage());
        Tensor plane = Tensor.zeros(Shape.of(2, 3, 5, 6));
        assertEquals(plane.offset(1, 2, 0, 4, 5), plane.offset(1, 2, 4, 5));
        assertEquals(plane.data().length - 1, plane.offset(1, 2, 4, 5));
    }

    @Test
    void dataLengthMustMatchTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Tensor(Shape.of(1, 2, 3, 4), new float[23]));
        assertEquals("the data length should be the shape's element count 24 for 1x2x3x4, but got length: 23", e.getMessage());
    }
}
