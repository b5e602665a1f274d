package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.spec.DType;
import io.clpool.support.DeviceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jocl.Sizeof;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * window.cl's storage conversions on the device, element by element: the vector ones (LOAD8,
 * LOAD8_COMPARED, STORE8, which the channels-last and direct kernels use) give the bits of the scalar ones (LOAD,
 * STORE) and of the Java reference (DType) for every float16 and bfloat16 pattern loaded, and for
 * every rounding boundary stored, at an aligned and an unaligned position. NaN: a float16 load
 * quiets a signalling NaN (F16C's rule, which LOAD8_COMPARED follows), and POCL's scalar float16 store
 * writes any NaN as 7fff (not DType's quiet payload, which STORE8 keeps).
 */
class StorageConversionTest extends DeviceTest {

    private static int storage(DType dtype) {
        return dtype == DType.FLOAT16 ? 1 : 2;
    }

    private static float widen(DType dtype, short bits) {
        return dtype == DType.FLOAT16 ? DType.halfToFloat(bits) : DType.bfloat16ToFloat(bits);
    }

    private static short narrow(DType dtype, float value) {
        return dtype == DType.FLOAT16 ? DType.floatToHalf(value) : DType.floatToBfloat16(value);
    }

    private ClProgram program(DType dtype) {
        return context.program("storage_probe.cl", KernelSource.options(Map.of("STORAGE", storage(dtype))));
    }

    /** All 65,536 patterns: vector and scalar loads give DType's widening, bit for bit (NaN payloads too). */
    @ParameterizedTest
    @ValueSource(strings = {"float16", "bfloat16"})
    void everyPatternLoadsExactly(String name) {
        DType dtype = DType.of(name);
        for (int shift : new int[] {0, 1}) {
            short[] patterns = new short[0x10000 + 8];
            for (int i = 0; i < 0x10000; i++) {
                patterns[i + shift] = (short) i;
            }
            float[] vector = new float[0x10000];
            float[] compared = new float[0x10000];
            float[] scalar = new float[0x10000];
            try (ClBuffer in = context.allocate((long) patterns.length * Sizeof.cl_short, "patterns");
                 ClBuffer vectorOut = context.allocate((long) vector.length * Sizeof.cl_float, "vector loads");
                 ClBuffer comparedOut = context.allocate((long) compared.length * Sizeof.cl_float, "compared loads");
                 ClBuffer scalarOut = context.allocate((long) scalar.length * Sizeof.cl_float, "scalar loads")) {
                in.write(patterns);
                context.run(program(dtype).kernel("load_probe"), new long[] {0x10000 / 8}, null, in, vectorOut, comparedOut,
                        scalarOut, shift);
                vectorOut.read(vector);
                comparedOut.read(compared);
                scalarOut.read(scalar);
            }
            for (int h = 0; h < 0x10000; h++) {
                float value = widen(dtype, (short) h);
                // a signalling float16 NaN arrives quiet (F16C's widening), its payload kept; bfloat16 shifts every bit
                int expected = Float.floatToRawIntBits(value) | (value != value && dtype == DType.FLOAT16 ? 0x00400000 : 0);
                int pattern = h;
                assertEquals(expected, Float.floatToRawIntBits(scalar[h]),
                        () -> String.format("LOAD of %s %04x at shift %d", name, pattern, shift));
                assertEquals(expected, Float.floatToRawIntBits(vector[h]),
                        () -> String.format("LOAD8 of %s %04x at shift %d", name, pattern, shift));
                assertEquals(expected, Float.floatToRawIntBits(compared[h]),
                        () -> String.format("LOAD8_COMPARED of %s %04x at shift %d", name, pattern, shift));
            }
        }
    }

    /**
     * Floats at every rounding boundary of the type and beside it: each finite pattern of either
     * sign, the midpoint to its neighbour and the floats one and two ulps either side of both;
     * overflow, underflow to zero, infinities, NaN payloads, and random floats. Vector and scalar
     * stores give DType's rounding (to nearest even; NaN quiet with its payload's top bits, but see
     * above for the scalar float16 store).
     */
    @ParameterizedTest
    @ValueSource(strings = {"float16", "bfloat16"})
    void everyRoundingBoundaryStoresAsTheReference(String name) {
        DType dtype = DType.of(name);
        List<Float> values = new ArrayList<>();
        List<Integer> boundaries = new ArrayList<>();
        // Neighbours lie in one binade or the higher starts the next, so the midpoint of their bits is
        // their midpoint; zero to the first subnormal and the largest finite to infinity are not.
        int largest = dtype == DType.FLOAT16 ? 0x7bff : 0x7f7f;
        for (int h = 1; h <= largest; h++) {
            int lowBits = Float.floatToRawIntBits(widen(dtype, (short) h));
            boundaries.add(lowBits);
            if (h < largest) {
                boundaries.add((lowBits + Float.floatToRawIntBits(widen(dtype, (short) (h + 1)))) / 2);
            }
        }
        boundaries.add(dtype == DType.FLOAT16 ? 0x33000000 : 0x00008000); // 2^-25, half the first subnormal bfloat16
        boundaries.add(dtype == DType.FLOAT16 ? 0x477ff000 : 0x7f7f8000); // 65520, the largest bfloat16 and half an ulp
        for (int base : boundaries) {
            for (int ulps = -2; ulps <= 2; ulps++) {
                float v = Float.intBitsToFloat(Math.max(0, base + ulps));
                values.add(v);
                values.add(-v);
            }
        }
        for (int payload : new int[] {1, 0x1fff, 0x2000, 0x3fffff, 0x400000, 0x400001, 0x7fffff, 0x12345}) {
            values.add(Float.intBitsToFloat(0x7f800000 | payload));
            values.add(Float.intBitsToFloat(0xff800000 | payload));
        }
        values.add(Float.POSITIVE_INFINITY);
        values.add(Float.NEGATIVE_INFINITY);
        values.add(Float.MAX_VALUE);
        values.add(Float.MIN_VALUE);
        values.add(-Float.MIN_VALUE);
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 100_000; i++) {
            values.add(Float.intBitsToFloat(random.nextInt()));
        }
        while (values.size() % 8 != 0) {
            values.add(0.0f);
        }
        float[] in = new float[values.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = values.get(i);
        }
        assertTrue(in.length > 2 * 10 * 0x7c00, "every boundary is in the set");
        for (int shift : new int[] {0, 3}) {
            short[] vector = new short[in.length + 8];
            short[] scalar = new short[in.length + 8];
            try (ClBuffer input = context.upload(in, "floats");
                 ClBuffer vectorOut = context.allocate((long) vector.length * Sizeof.cl_short, "vector stores");
                 ClBuffer scalarOut = context.allocate((long) scalar.length * Sizeof.cl_short, "scalar stores")) {
                context.run(program(dtype).kernel("store_probe"), new long[] {in.length / 8}, null, input, vectorOut, scalarOut, shift);
                vectorOut.read(vector);
                scalarOut.read(scalar);
            }
            for (int i = 0; i < in.length; i++) {
                short expected = narrow(dtype, in[i]);
                int at = i;
                assertEquals(expected, vector[i + shift], () -> String.format("STORE8 of %s %08x at shift %d",
                        name, Float.floatToRawIntBits(in[at]), shift));
                if (in[i] != in[i] && dtype == DType.FLOAT16) { // POCL's scalar vstore_half_rte writes every NaN as 7fff
                    assertTrue((scalar[i + shift] & 0x7fff) > 0x7c00, () -> String.format("STORE of NaN %08x: %04x",
                            Float.floatToRawIntBits(in[at]), scalar[at + shift]));
                } else {
                    assertEquals(expected, scalar[i + shift], () -> String.format("STORE of %s %08x at shift %d",
                            name, Float.floatToRawIntBits(in[at]), shift));
                }
            }
        }
    }
}
