package io.clpool.spec;

import java.util.Locale;

/**
 * The type a tensor is stored in. float32 and the half types are computed in float32 (PyTorch's
 * accumulation type for them), float64 in double, and rounded once, to nearest even, when stored:
 * max and min values and all indices stay exact, sums are within two units in the last place of
 * the type. Host tensors hold float32 and the half types as floats exactly representable in the
 * type, float64 as doubles ({@code Tensor.doubles()}).
 */
public enum DType {
    FLOAT32("float32", 4),
    /** IEEE half precision, stored with OpenCL's {@code vload_half} / {@code vstore_half_rte}. */
    FLOAT16("float16", 2),
    /** The upper 16 bits of a float32, converted by shifts on the device (round to nearest even when stored). */
    BFLOAT16("bfloat16", 2),
    /** IEEE double precision, computed in double; needs a device with {@code cl_khr_fp64}. */
    FLOAT64("float64", 8);

    private final String label;
    private final int bytes;

    DType(String label, int bytes) {
        this.label = label;
        this.bytes = bytes;
    }

    /** Bytes per element in memory. */
    public int bytes() {
        return bytes;
    }

    /** The name the command line and the conformance cases use: float32, float16, bfloat16, float64. */
    public String label() {
        return label;
    }

    /** The type named {@code name} ({@link #label()}), or an exception naming it and the choices. */
    public static DType of(String name) {
        Checks.requireNonNull(name, "dtype");
        for (DType type : values()) {
            if (type.label.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return type;
            }
        }
        throw Checks.invalid("dtype", "float32, float16, bfloat16 or float64", "'" + name + "'");
    }

    /** {@code value} rounded to this type, to nearest even (NaN stays NaN, overflow becomes infinity). */
    public float round(float value) {
        return switch (this) {
            case FLOAT32, FLOAT64 -> value;
            case FLOAT16 -> halfToFloat(floatToHalf(value));
            case BFLOAT16 -> bfloat16ToFloat(floatToBfloat16(value));
        };
    }

    /**
     * {@code value} rounded once to this type, to nearest even: float64 keeps it, the others round
     * straight from the double (no double rounding through float32).
     */
    public double round(double value) {
        if (this == FLOAT64) {
            return value;
        }
        float f = (float) value;
        if (this == FLOAT32 || Double.isNaN(value) || (double) f == value) {
            return round(f);
        }
        // Not exact in float: truncate toward zero and set the sticky bit, so the type's rounding sees an inexact tail.
        if (Math.abs((double) f) > Math.abs(value)) {
            f = Math.nextAfter(f, 0.0); // from infinity too: to the largest float
        }
        return round(Float.intBitsToFloat(Float.floatToRawIntBits(f) | 1));
    }

    /** True when {@code value} is stored in this type without rounding (every NaN is). */
    public boolean represents(float value) {
        return value != value || Float.floatToRawIntBits(round(value)) == Float.floatToRawIntBits(value);
    }

    /** The 16 bits of {@code value} in IEEE half precision, rounded to nearest even. */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs > 0x7f800000) { // NaN: quiet, with the payload's top bits
            return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
        }
        if (abs >= 0x47800000) { // 65536 and above, and infinity
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) { // below 2^-14: a subnormal half, or zero
            if (abs < 0x33000000) { // below 2^-25: rounds to zero
                return (short) sign;
            }
            int exponent = abs >>> 23;
            int mantissa = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - exponent; // 14..24: units of 2^-24
            int half = mantissa >>> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (abs - 0x38000000) >>> 13; // exponent rebiased from 127 to 15
        int rest = abs & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
            half++; // a carry into the exponent is right, up to infinity (0x7c00)
        }
        return (short) (sign | half);
    }

    /** The float of IEEE half-precision bits {@code half} (exact). */
    public static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The 16 bits of {@code value} in bfloat16, rounded to nearest even; NaN stays a (quiet) NaN. */
    public static short floatToBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The float of bfloat16 bits {@code bits} (exact). */
    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
