package io.clpool.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clpool.spec.DType;
import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link NpyArray#toFloats(DType)} rounds a float64 element once, to nearest even in the type:
 * checked against exact arithmetic on doubles just above, at and just below the midpoints between
 * neighbouring float16 and bfloat16 values, where rounding through a float32 first would round
 * twice (1 + 2^-8 + 2^-30 is a tie once cast to float, and goes to 1; it is nearer 1 + 2^-7).
 */
class NpyArrayRoundingTest {

    @Test
    void float64RoundsOnceToEveryType() {
        Random random = new Random(20261125);
        for (DType type : DType.values()) {
            if (type == DType.FLOAT64) {
                continue; // keeps the double: nothing to round (DTypeTest)
            }
            for (int i = 0; i < 20_000; i++) {
                float a = type.round((float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(20) - 10)));
                float b = next(a, type);
                double mid = ((double) a + b) / 2; // exact in double
                double offset = Math.scalb(Math.abs(mid), -(28 + random.nextInt(20)));
                for (double d : new double[] {mid, mid + offset, mid - offset, a, b, mid + 2 * offset}) {
                    assertEquals(Float.floatToIntBits(nearestEven(d, a, b, type)), Float.floatToIntBits(NpyArray.round(d, type)),
                            () -> type.label() + " of " + d + " between " + a + " and " + b);
                }
            }
        }
    }

    @Test
    void theDoubleRoundingCaseOfTheClass() {
        assertEquals(1 + 0x1p-7f, NpyArray.round(1 + 0x1p-8 + 0x1p-30, DType.BFLOAT16));
        assertEquals(1f, DType.BFLOAT16.round((float) (1 + 0x1p-8 + 0x1p-30)), "through float32 it would be 1");
        assertEquals(1 + 0x1p-10f, NpyArray.round(1 + 0x1p-11 + 0x1p-40, DType.FLOAT16));
        assertEquals(Float.POSITIVE_INFINITY, NpyArray.round(1e300, DType.FLOAT16));
        assertEquals(Float.NEGATIVE_INFINITY, NpyArray.round(-1e300, DType.BFLOAT16));
        assertEquals(-0f, NpyArray.round(-1e-300, DType.FLOAT16));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(NpyArray.round(-1e-300, DType.FLOAT16)));
        assertEquals(Float.NaN, NpyArray.round(Double.NaN, DType.BFLOAT16));
    }

    /** The next value of {@code type} above {@code v} (a value of the type). */
    private static float next(float v, DType type) {
        if (type == DType.FLOAT32) {
            return Math.nextUp(v);
        }
        if (type == DType.FLOAT16) {
            short h = DType.floatToHalf(v);
            return DType.halfToFloat((short) (v >= 0 && h != (short) 0x8000 ? h + 1 : h == (short) 0x8000 ? 1 : h - 1));
        }
        short b = DType.floatToBfloat16(v);
        return DType.bfloat16ToFloat((short) (v >= 0 && b != (short) 0x8000 ? b + 1 : b == (short) 0x8000 ? 1 : b - 1));
    }

    /** Of neighbours {@code a < b}, the one nearer {@code d} (between them), the even one on a tie. */
    private static float nearestEven(double d, float a, float b, DType type) {
        BigDecimal x = new BigDecimal(d);
        int c = x.subtract(new BigDecimal(a)).abs().compareTo(x.subtract(new BigDecimal(b)).abs());
        if (c != 0) {
            return c < 0 ? a : b;
        }
        return (bits(a, type) & 1) == 0 ? a : b;
    }

    private static int bits(float v, DType type) {
        return switch (type) {
            case FLOAT32 -> Float.floatToIntBits(v);
            case FLOAT16 -> DType.floatToHalf(v);
            case BFLOAT16 -> DType.floatToBfloat16(v);
            case FLOAT64 -> throw new IllegalArgumentException("float64 rounds nothing");
        };
    }
}
