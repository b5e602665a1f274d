package io.clpool.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The half types' conversions: float16 and bfloat16 round to nearest, ties to even, at every
 * boundary (overflow, subnormals, underflow to zero), NaN stays NaN and infinities stay
 * infinite; the widenings are exact.
 */
class DTypeTest {

    private static short half(float v) {
        return DType.floatToHalf(v);
    }

    private static float f16(float v) {
        return DType.FLOAT16.round(v);
    }

    private static float bf16(float v) {
        return DType.BFLOAT16.round(v);
    }

    private static void assertBits(float expected, float actual, String what) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                () -> what + ": expected " + expected + " but was " + actual);
    }

    @Test
    void float16OverflowsToInfinityFromTheTieAbove65504() {
        assertEquals((short) 0x7bff, half(65504f));
        assertBits(65504f, f16(65504f), "the largest half");
        assertBits(65504f, f16(65519.996f), "just below the tie");
        // 65520 is halfway between 65504 (mantissa odd) and 65536, which is out of range: to even, infinity.
        assertEquals((short) 0x7c00, half(65520f));
        assertBits(Float.POSITIVE_INFINITY, f16(65520f), "the tie above the largest half");
        assertBits(Float.NEGATIVE_INFINITY, f16(-65520f), "its negative");
        assertBits(Float.POSITIVE_INFINITY, f16(1e10f), "far out of range");
        assertBits(Float.POSITIVE_INFINITY, f16(Float.MAX_VALUE), "the largest float");
        assertEquals((short) 0x7c00, half(Float.POSITIVE_INFINITY));
        assertEquals((short) 0xfc00, half(Float.NEGATIVE_INFINITY));
        assertTrue(DType.FLOAT16.represents(65504f));
        assertFalse(DType.FLOAT16.represents(65520f));
        assertTrue(DType.FLOAT16.represents(Float.POSITIVE_INFINITY));
    }

    @Test
    void float16SubnormalsAndUnderflowRoundToEven() {
        float tiny = 0x1p-24f; // the smallest subnormal half
        assertEquals((short) 0x0001, half(tiny));
        assertBits(tiny, f16(tiny), "the smallest subnormal");
        assertBits(0x1p-14f, f16(0x1p-14f), "the smallest normal");
        assertBits(1023 * tiny, f16(1023 * tiny), "the largest subnormal");
        // 2^-25 is halfway between 0 and 2^-24: to even, zero (keeping the sign).
        assertBits(0f, f16(0x1p-25f), "2^-25");
        assertBits(-0f, f16(-0x1p-25f), "-2^-25");
        assertBits(tiny, f16(Math.nextUp(0x1p-25f)), "just above 2^-25");
        assertBits(0f, f16(0x1p-26f), "2^-26");
        assertBits(0f, f16(Float.MIN_VALUE), "the smallest float");
        // 1.5 and 2.5 units: to the even neighbour, 2 both times.
        assertBits(2 * tiny, f16(1.5f * tiny), "1.5 units");
        assertBits(2 * tiny, f16(2.5f * tiny), "2.5 units");
        assertBits(4 * tiny, f16(3.5f * tiny), "3.5 units");
        // Halfway between the largest subnormal (odd) and the smallest normal: up, into the normals.
        assertBits(0x1p-14f, f16(1023.5f * tiny), "the subnormal/normal tie");
        assertBits(-0f, f16(-0f), "negative zero");
        assertEquals((short) 0x8000, half(-0f));
        assertFalse(DType.FLOAT16.represents(0x1p-25f));
        assertTrue(DType.FLOAT16.represents(-tiny));
    }

    @Test
    void float16NormalsRoundToNearestEven() {
        float unit = 0x1p-10f; // one unit in the last place at 1
        assertBits(1f, f16(1f + unit / 2), "1 + half a unit (1 is even)");
        assertBits(1f + 2 * unit, f16(1f + 1.5f * unit), "1 + 1.5 units");
        assertBits(1f + unit, f16(Math.nextUp(1f + unit / 2)), "just above the tie");
        assertBits(1f, f16(Math.nextDown(1f + unit / 2)), "just below the tie");
        assertBits(2048f, f16(2049f), "2049 (tie, 2048 even)");
        assertBits(2052f, f16(2051f), "2051 (tie, 2052 even)");
        assertBits(0.33325195f, f16(1f / 3), "a third");
    }

    @Test
    void float16NaNStaysNaN() {
        for (int bits : new int[] {0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff, 0xff800001}) {
            float nan = Float.intBitsToFloat(bits);
            short h = half(nan);
            assertEquals(0x7c00, h & 0x7c00, () -> "exponent all ones for " + Integer.toHexString(bits));
            assertTrue((h & 0x3ff) != 0, () -> "a NaN, not infinity, for " + Integer.toHexString(bits));
            assertTrue(Float.isNaN(f16(nan)), Integer.toHexString(bits));
            assertEquals(bits < 0, h < 0, "the sign is kept");
        }
        assertTrue(DType.FLOAT16.represents(Float.NaN));
        assertTrue(Float.isNaN(DType.halfToFloat((short) 0x7c01)), "a signalling half NaN widens to NaN");
    }

    /** Every one of the 65536 halves widens exactly (checked against sign · mantissa · 2^exponent) and narrows back to itself. */
    @Test
    void everyHalfWidensExactlyAndRoundTrips() {
        for (int h = 0; h < 0x10000; h++) {
            short bits = (short) h;
            float value = DType.halfToFloat(bits);
            int exponent = (h >>> 10) & 0x1f;
            int mantissa = h & 0x3ff;
            double sign = (h & 0x8000) != 0 ? -1 : 1;
            if (exponent == 31) {
                assertTrue(mantissa == 0 ? value == sign * Double.POSITIVE_INFINITY : Float.isNaN(value), Integer.toHexString(h));
                continue;
            }
            double expected = exponent == 0 ? sign * Math.scalb((double) mantissa, -24)
                    : sign * Math.scalb((double) (1024 + mantissa), exponent - 25);
            assertEquals(expected, value, 0.0, Integer.toHexString(h));
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(value), Integer.toHexString(h));
            assertEquals(bits, half(value), Integer.toHexString(h));
        }
    }

    /** For random floats in and around the half range, the rounding is the nearest half, ties to the even one. */
    @Test
    void float16RoundingIsTheNearestHalfTiesToEven() {
        SplittableRandom random = new SplittableRandom(0x16);
        for (int i = 0; i < 400_000; i++) {
            // exponents from 2^-27 to 2^17: subnormal halves, normals, and overflow
            float v = Float.intBitsToFloat(random.nextInt(0x32000000, 0x48000000)) * (random.nextBoolean() ? 1 : -1);
            float r = f16(v);
            double magnitude = Math.abs((double) v);
            if (magnitude >= 65520) {
                assertBits(Math.copySign(Float.POSITIVE_INFINITY, v), r, "overflow of " + v);
                continue;
            }
            short h = half(Math.abs(v));
            double down = DType.halfToFloat(h) <= magnitude ? DType.halfToFloat(h) : DType.halfToFloat((short) (h - 1));
            short downBits = half((float) down);
            double up = DType.halfToFloat((short) (downBits + 1));
            double chosen = Math.abs((double) r);
            double dDown = magnitude - down;
            double dUp = up - magnitude;
            boolean ok = dDown < dUp ? chosen == down : dUp < dDown ? chosen == up
                    : chosen == ((downBits & 1) == 0 ? down : up);
            if (!ok || Math.copySign(1f, r) != Math.copySign(1f, v)) {
                fail(v + " rounded to " + r + "; neighbours " + down + " and " + up);
            }
        }
    }

    @Test
    void bfloat16RoundsTiesToEven() {
        assertEquals((short) 0x3f80, DType.floatToBfloat16(Float.intBitsToFloat(0x3f808000))); // 1 + 2^-8: tie, 1 is even
        assertEquals((short) 0x3f82, DType.floatToBfloat16(Float.intBitsToFloat(0x3f818000))); // tie, up to the even 0x3f82
        assertEquals((short) 0x3f81, DType.floatToBfloat16(Float.intBitsToFloat(0x3f808001))); // just above the tie
        assertEquals((short) 0x3f81, DType.floatToBfloat16(Float.intBitsToFloat(0x3f817fff))); // just below the next tie
        assertBits(1f, bf16(1f + 0x1p-8f), "1 + half a unit");
        assertBits(1f + 0x1p-6f, bf16(1f + 3 * 0x1p-8f), "1 + 1.5 units");
        assertBits(256f, bf16(257f), "257 (tie, 256 even)");
        assertBits(260f, bf16(259f), "259 (tie, 260 even)");
        // Subnormal floats round like any others, ties to even.
        assertBits(0f, bf16(Float.intBitsToFloat(0x00008000)), "a subnormal tie to zero");
        assertBits(Float.intBitsToFloat(0x00020000), bf16(Float.intBitsToFloat(0x00018000)), "a subnormal tie up");
        assertBits(-0f, bf16(-0f), "negative zero");
        assertBits(Float.intBitsToFloat(0x7f7f0000), bf16(Float.intBitsToFloat(0x7f7f7fff)), "below the largest bfloat16's tie");
        assertTrue(DType.BFLOAT16.represents(3.140625f));
        assertFalse(DType.BFLOAT16.represents(1.001f));
    }

    @Test
    void bfloat16KeepsInfinityAndNaN() {
        assertBits(Float.POSITIVE_INFINITY, bf16(Float.POSITIVE_INFINITY), "infinity");
        assertBits(Float.NEGATIVE_INFINITY, bf16(Float.NEGATIVE_INFINITY), "-infinity");
        assertBits(Float.POSITIVE_INFINITY, bf16(Float.MAX_VALUE), "the largest float rounds past the largest bfloat16");
        assertBits(Float.NEGATIVE_INFINITY, bf16(-Float.MAX_VALUE), "and its negative");
        // A NaN whose payload lies only in the dropped bits must not become infinity, as truncation would make it.
        for (int bits : new int[] {0x7f800001, 0x7fc00000, 0xff800001, 0x7fffffff, 0x7f80ffff}) {
            short b = DType.floatToBfloat16(Float.intBitsToFloat(bits));
            assertTrue(Float.isNaN(DType.bfloat16ToFloat(b)), Integer.toHexString(bits) + " -> " + Integer.toHexString(b & 0xffff));
            assertEquals(bits < 0, b < 0, "the sign is kept");
        }
        assertTrue(DType.BFLOAT16.represents(Float.NaN));
        assertTrue(DType.BFLOAT16.represents(Float.intBitsToFloat(0x7f800001)), "every NaN is representable");
    }

    @Test
    void float32RoundsNothingAndTypesAreNamed() {
        for (float v : new float[] {0.1f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, -0f}) {
            assertBits(v, DType.FLOAT32.round(v), "float32");
            assertTrue(DType.FLOAT32.represents(v));
        }
        assertEquals(DType.FLOAT16, DType.of(" Float16 "));
        assertEquals(DType.BFLOAT16, DType.of("bfloat16"));
        assertEquals(2, DType.BFLOAT16.bytes());
        assertEquals(4, DType.FLOAT32.bytes());
        assertEquals(DType.FLOAT64, DType.of("float64"));
        assertEquals("dtype should be float32, float16, bfloat16 or float64, but got 'float8'",
                assertThrows(IllegalArgumentException.class, () -> DType.of("float8")).getMessage());
    }

    /** float64: 8 bytes, keeps every float and every double; a double rounds once, straight, to the other types. */
    @Test
    void float64KeepsDoublesAndDoublesRoundOnceToTheOthers() {
        assertEquals(8, DType.FLOAT64.bytes());
        assertEquals("float64", DType.FLOAT64.label());
        for (float v : new float[] {0.1f, Float.MIN_VALUE, Float.MAX_VALUE, -0f, Float.POSITIVE_INFINITY}) {
            assertBits(v, DType.FLOAT64.round(v), "float64 of a float");
            assertTrue(DType.FLOAT64.represents(v));
        }
        for (double v : new double[] {0.1, Double.MIN_VALUE, Double.MAX_VALUE, -0.0, 1 + 0x1p-52}) {
            assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(DType.FLOAT64.round(v)), "float64 keeps " + v);
        }
        assertEquals(1 + 0x1p-23, DType.FLOAT32.round(1 + 0x1p-24 + 0x1p-50), "float32 rounds to nearest");
        assertEquals(1.0, DType.FLOAT32.round(1 + 0x1p-24), "a tie to even");
        // 1 + 2^-8 + 2^-30 rounds up in bfloat16; through float32 first it would be a tie, rounded down to 1.
        assertEquals(1 + 0x1p-7, DType.BFLOAT16.round(1 + 0x1p-8 + 0x1p-30));
        assertEquals(1 + 0x1p-10, DType.FLOAT16.round(1 + 0x1p-11 + 0x1p-40));
        assertEquals(Double.POSITIVE_INFINITY, DType.FLOAT16.round(1e300));
        assertTrue(Double.isNaN(DType.BFLOAT16.round(Double.NaN)));
    }
}
