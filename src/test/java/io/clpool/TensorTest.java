package io.clpool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.Shape;
import org.junit.jupiter.api.Test;

/** Typed host tensors: layouts moved without changing the logical tensor, values held exactly in their type. */
class TensorTest {

    private static float[] ramp(int count) {
        float[] data = new float[count];
        for (int i = 0; i < count; i++) {
            data[i] = i;
        }
        return data;
    }

    @Test
    void withLayoutInterleavesTheChannelsAndRoundTrips() {
        // Channels first: channel 0 is 0 1 2 3, channel 1 is 4 5 6 7; channels last pairs them per position.
        Tensor first = new Tensor(Shape.of(1, 2, 2, 2), ramp(8));
        Tensor last = first.withLayout(Layout.CHANNELS_LAST);
        assertEquals(Shape.of(1, 2, 2, 2).channelsLast(), last.shape());
        assertArrayEquals(new float[] {0, 4, 1, 5, 2, 6, 3, 7}, last.data());
        assertEquals(first.get(0, 1, 1, 0), last.get(0, 1, 1, 0));
        assertArrayEquals(first.data(), last.withLayout(Layout.CHANNELS_FIRST).data());
        assertSame(last, last.withLayout(Layout.CHANNELS_LAST), "already in the layout");

        for (Shape shape : new Shape[] {Shape.of(2, 3, 4, 5), Shape.of(2, 3, 2, 4, 5), Shape.of(1, 1, 1, 1)}) {
            Tensor t = Tensor.rounded(shape, ramp((int) shape.elementCount()), DType.FLOAT16);
            Tensor moved = t.withLayout(Layout.CHANNELS_LAST);
            assertEquals(DType.FLOAT16, moved.dtype(), "the type is kept");
            for (int n = 0; n < shape.n(); n++) {
                for (int c = 0; c < shape.c(); c++) {
                    for (int d = 0; d < shape.d(); d++) {
                        for (int h = 0; h < shape.h(); h++) {
                            for (int w = 0; w < shape.w(); w++) {
                                assertEquals(t.get(n, c, d, h, w), moved.get(n, c, d, h, w), shape + " logical element");
                            }
                        }
                    }
                }
            }
            assertArrayEquals(t.data(), moved.withLayout(Layout.CHANNELS_FIRST).data(), shape + " round trip");
        }
    }

    @Test
    void indexTensorsMoveTheirPositionsNotTheirValues() {
        IndexTensor first = new IndexTensor(Shape.of(1, 2, 1, 3), new int[] {0, 1, 2, 10, 11, 12});
        IndexTensor last = first.withLayout(Layout.CHANNELS_LAST);
        assertArrayEquals(new int[] {0, 10, 1, 11, 2, 12}, last.data());
        assertArrayEquals(first.data(), last.withLayout(Layout.CHANNELS_FIRST).data());
    }

    @Test
    void aHalfTensorRefusesAValueItsTypeDoesNotHold() {
        Shape shape = Shape.of(1, 1, 1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Tensor(shape, new float[] {1f, 0.1f, 2f}, DType.FLOAT16));
        assertEquals("every value of a float16 tensor should be representable in float16 (use Tensor.rounded), but got data[1]: 0.1",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Tensor(shape, new float[] {65520f, 0, 0}, DType.FLOAT16));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(shape, new float[] {0x1p-25f, 0, 0}, DType.FLOAT16));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(shape, new float[] {1.001f, 0, 0}, DType.BFLOAT16));
        // What the types hold is accepted as is: NaN, infinities, subnormals, the extremes.
        new Tensor(shape, new float[] {Float.NaN, Float.NEGATIVE_INFINITY, 0x1p-24f}, DType.FLOAT16);
        new Tensor(shape, new float[] {65504f, -65504f, -0f}, DType.FLOAT16);
        new Tensor(shape, new float[] {0.1f, 1e-45f, Float.MAX_VALUE}, DType.FLOAT32);

        float[] data = {65520f, 0.1f, 0x1p-25f};
        Tensor rounded = Tensor.rounded(shape, data, DType.FLOAT16);
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, 0.099975586f, 0f}, rounded.data());
        assertSame(data, rounded.data(), "rounded in place");
        Tensor wide = new Tensor(shape, new float[] {0.1f, 1f, 3f});
        Tensor half = wide.toType(DType.FLOAT16);
        assertEquals(0.1f, wide.data()[0], "toType copies");
        assertEquals(DType.FLOAT16, half.dtype());
        assertSame(half, half.toType(DType.FLOAT16));
        assertTrue(DType.FLOAT16.represents(half.data()[0]));
    }

    /** float64 tensors hold doubles: data() refuses rather than narrow, layouts and types move the doubles exactly. */
    @Test
    void aFloat64TensorHoldsDoublesAndRefusesToNarrowSilently() {
        Shape shape = Shape.of(1, 2, 1, 2);
        double[] values = {0.1, 1 + 0x1p-52, Double.MAX_VALUE, Double.NaN};
        Tensor t = Tensor.ofDoubles(shape, values);
        assertEquals(DType.FLOAT64, t.dtype());
        assertSame(values, t.doubles(), "shared, not copied");
        IllegalStateException e = assertThrows(IllegalStateException.class, t::data);
        assertTrue(e.getMessage().startsWith("a float64 tensor (1x2x1x2) holds doubles"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> t.get(0, 0, 0, 0));
        assertThrows(IllegalStateException.class, () -> new Tensor(shape, new float[4]).doubles());
        assertEquals(1 + 0x1p-52, t.getDouble(0, 0, 0, 0, 1));

        Tensor last = t.withLayout(Layout.CHANNELS_LAST);
        assertEquals(DType.FLOAT64, last.dtype());
        assertArrayEquals(new double[] {0.1, Double.MAX_VALUE, 1 + 0x1p-52, Double.NaN}, last.doubles());
        assertArrayEquals(values, last.withLayout(Layout.CHANNELS_FIRST).doubles());

        // To float32 and the half types: rounded once from the double; to float64: exact.
        Tensor single = t.toType(DType.FLOAT32);
        assertArrayEquals(new float[] {0.1f, 1f, Float.POSITIVE_INFINITY, Float.NaN}, single.data());
        assertArrayEquals(new float[] {0.1f, 1f, Float.POSITIVE_INFINITY, Float.NaN}, Tensor.fromDoubles(shape, values, DType.FLOAT32).data());
        Tensor back = single.toType(DType.FLOAT64);
        assertArrayEquals(new double[] {0.1f, 1, Double.POSITIVE_INFINITY, Double.NaN}, back.doubles());
        assertArrayEquals(new double[] {0.1f, 1, Double.POSITIVE_INFINITY, Double.NaN}, single.toDoubles());
        assertSame(t, t.toType(DType.FLOAT64));
        Tensor wide = new Tensor(shape, new float[] {0.1f, 2f, 3f, 4f}, DType.FLOAT64);
        assertArrayEquals(new double[] {0.1f, 2, 3, 4}, wide.doubles(), "floats widened exactly");
        assertArrayEquals(new double[4], Tensor.zeros(shape, DType.FLOAT64).doubles());

        assertThrows(IllegalArgumentException.class, () -> Tensor.ofDoubles(shape, new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(shape, new float[4], DType.FLOAT64, new double[4]));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(shape, new float[4], DType.FLOAT32, new double[4]));
    }
}
