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

    @Test
    void dataLengthMustMatchTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Tensor(Shape.of(1, 2, 3, 4), new float[23]));
        assertEquals("the data length should be the shape's element count 24 for 1x2x3x4, but got length: 23", e.getMessage());
    }
}
