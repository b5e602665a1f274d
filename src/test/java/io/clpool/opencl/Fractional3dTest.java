package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.FractionalSamples;
import io.clpool.spec.FractionalWindows;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.DeviceTest;
import io.clpool.support.Inputs;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * 3-D fractional max pooling (PyTorch {@code fractional_max_pool3d},
 * {@code aten/src/ATen/native/FractionalMaxPool3d.cpp}): the rule worked by hand (sample 0 places
 * depth, 1 rows, 2 columns; ties keep the first tap in (d, h, w) order, the last NaN wins; index
 * d·H·W + h·W + w), PyTorch's strict {@code out + k − 1 < in} check, the OpenCL kernels against the
 * reference on awkward shapes (values, indices and gradients bit for bit, two backward runs
 * bitwise equal), seeded draws of 3 per plane, and batch rows.
 */
class Fractional3dTest extends DeviceTest {
    private final ReferencePooling reference = new ReferencePooling();

    /**
     * Input 1x2x7x6x7, kernel 2x1x2, output 3x3x3. Plane 0 samples (0.5, 0.25, 0.75), plane 1 all 0.
     * By hand, generate_intervals in float:
     * <ul>
     * <li>D: in 7, k 2, out 3, alpha = 5/2 = 2.5. u 0.5: window 1 int(1.5·2.5 = 3.75) − int(1.25) = 3 − 1 = 2; last 7 − 2 = 5.
     *     u 0: int(2.5) − 0 = 2; last 5.</li>
     * <li>H: in 6, k 1, out 3, alpha = 5/2 = 2.5. u 0.25: int(1.25·2.5 = 3.125) − int(0.625) = 3; last 6 − 1 = 5.
     *     u 0: 2; last 5.</li>
     * <li>W: in 7, k 2, out 3, alpha 2.5. u 0.75: int(1.75·2.5 = 4.375) − int(1.875) = 4 − 1 = 3; last 5.
     *     u 0: 2; last 5.</li>
     * </ul>
     * Every first window starts at 0. Were the samples read in 2-D's order (0 for W), W of plane 0
     * would start {0, 2, 5}; were D read from sample 2, D would start {0, 3, 5}.
     */
    private static final int[][] STARTS_PLANE0 = {{0, 2, 5}, {0, 3, 5}, {0, 3, 5}};
    private static final int[][] STARTS_PLANE1 = {{0, 2, 5}, {0, 2, 5}, {0, 2, 5}};
    private static final Shape HAND = Shape.of(1, 2, 7, 6, 7);
    private static final int KD = 2, KH = 1, KW = 2;

    private static PoolOp.FractionalMax handOp() {
        return PoolOp.fractionalMax3d(KD, KH, KW, 3, 3, 3, FractionalSamples.of(1, 2, 3, new float[] {0.5f, 0.25f, 0.75f, 0f, 0f, 0f}));
    }

    private static int at(int d, int h, int w) {
        return d * 6 * 7 + h * 7 + w;
    }

    @Test
    void windowStartsWorkedByHand() {
        float alpha = FractionalWindows.alpha(7, 3, 2);
        assertEquals(2.5f, alpha);
        assertEquals(2, FractionalWindows.start(1, 0.5f, alpha, 7, 3, 2));
        assertEquals(3, FractionalWindows.start(1, 0.75f, alpha, 7, 3, 2));
        assertEquals(5, FractionalWindows.start(2, 0.75f, alpha, 7, 3, 2));
        assertEquals(3, FractionalWindows.start(1, 0.25f, FractionalWindows.alpha(6, 3, 1), 6, 3, 1));
    }

    /** Random values with a tie, NaNs and an all −inf window planted in plane 0; expected from the hand starts. */
    @Test
    void forwardAndBackwardWorkedByHand() {
        float[] x = Inputs.NORMAL.tensor(HAND, 77).data().clone();
        int plane = 7 * 6 * 7;
        // window (0, 0, 0) of plane 0: d 0..1, h 0, w 0..1, all 5: a tie, the first tap (index 0) wins
        for (int d = 0; d < 2; d++) {
            for (int w = 0; w < 2; w++) {
                x[at(d, 0, w)] = 5f;
            }
        }
        // window (1, 1, 1) of plane 0: d 2..3, h 3, w 3..4: two NaNs, the last in (d, h, w) order wins
        x[at(2, 3, 3)] = Float.NaN;
        x[at(3, 3, 4)] = Float.NaN;
        x[at(2, 3, 4)] = 1e30f;
        // window (2, 2, 2) of plane 0: d 5..6, h 5, w 5..6: all -inf, the first tap's index with -inf
        for (int d = 5; d < 7; d++) {
            for (int w = 5; w < 7; w++) {
                x[at(d, 5, w)] = Float.NEGATIVE_INFINITY;
            }
        }
        // window (2, 1, 0) of plane 1 (starts d 5, h 2, w 0): a tie of 9 at its second and last taps, the second wins
        x[plane + at(5, 2, 1)] = 9f;
        x[plane + at(6, 2, 1)] = 9f;
        Tensor input = new Tensor(HAND, x);

        float[] expectedValues = new float[2 * 27];
        int[] expectedIndices = new int[2 * 27];
        for (int p = 0; p < 2; p++) {
            int[][] starts = p == 0 ? STARTS_PLANE0 : STARTS_PLANE1;
            for (int od = 0; od < 3; od++) {
                for (int oh = 0; oh < 3; oh++) {
                    for (int ow = 0; ow < 3; ow++) {
                        int d0 = starts[0][od], h0 = starts[1][oh], w0 = starts[2][ow];
                        float best = Float.NEGATIVE_INFINITY;
                        int index = at(d0, h0, w0);
                        for (int d = d0; d < d0 + KD; d++) {
                            for (int h = h0; h < h0 + KH; h++) {
                                for (int w = w0; w < w0 + KW; w++) {
                                    float v = x[p * plane + at(d, h, w)];
                                    if (v > best || Float.isNaN(v)) {
                                        best = v;
                                        index = at(d, h, w);
                                    }
                                }
                            }
                        }
                        expectedValues[p * 27 + (od * 3 + oh) * 3 + ow] = best;
                        expectedIndices[p * 27 + (od * 3 + oh) * 3 + ow] = index;
                    }
                }
            }
        }
        assertEquals(0, expectedIndices[0], "the tie keeps the first tap");
        assertEquals(at(3, 3, 4), expectedIndices[(1 * 3 + 1) * 3 + 1], "the last NaN");
        assertTrue(Float.isNaN(expectedValues[(1 * 3 + 1) * 3 + 1]));
        assertEquals(at(5, 5, 5), expectedIndices[26], "an all -inf window: its first tap");
        assertEquals(Float.NEGATIVE_INFINITY, expectedValues[26]);
        assertEquals(at(5, 2, 1), expectedIndices[27 + (2 * 3 + 1) * 3], "plane 1's tie: the earlier tap");

        PoolOp.FractionalMax op = handOp();
        assertEquals(Shape.of(1, 2, 3, 3, 3), op.outputShape(HAND));
        Tensor gy = Inputs.gradient(Shape.of(1, 2, 3, 3, 3), 78);
        float[] expectedGrad = new float[x.length];
        for (int o = 0; o < expectedIndices.length; o++) {
            expectedGrad[o / 27 * plane + expectedIndices[o]] += gy.data()[o];
        }
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO)) {
            for (var backend : List.of(reference, device)) {
                PoolResult r = backend.forward(op, input);
                assertEquals(Shape.of(1, 2, 3, 3, 3), r.values().shape(), backend.name());
                Compare.bitEqual(expectedValues, r.values().data(), backend.name() + " values");
                assertArrayEquals(expectedIndices, r.indices().data(), backend.name() + " indices");
                Tensor first = backend.backward(op, gy, input, r.values(), r.indices());
                Tensor second = backend.backward(op, gy, input, r.values(), r.indices());
                Compare.bitEqual(expectedGrad, first.data(), backend.name() + " gradient");
                Compare.bitEqual(first.data(), second.data(), backend.name() + " two backward runs");
            }
        }
    }

    /** Seeded samples: java.util.Random(seed).nextFloat(), 3 per plane in (n, c, axis) order. */
    @Test
    void seededSamplesDrawThreePerPlane() {
        Random random = new Random(42);
        float[] expected = new float[2 * 3 * 3];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = random.nextFloat();
        }
        assertArrayEquals(expected, FractionalSamples.seeded(42).forInput(2, 3, 3));
        Shape in = Shape.of(2, 3, 9, 8, 7);
        PoolOp.FractionalMax seeded = PoolOp.fractionalMax3d(2, 2, 2, 3, 4, 3, FractionalSamples.seeded(42));
        assertArrayEquals(expected, seeded.samplesFor(in));
        PoolOp.FractionalMax explicit = PoolOp.fractionalMax3d(2, 2, 2, 3, 4, 3, FractionalSamples.of(2, 3, 3, expected));
        Tensor x = Inputs.NORMAL.tensor(in, 5);
        Compare.bitEqual(reference.forward(explicit, x).indices().data(), reference.forward(seeded, x).indices().data(), "seeded");
    }

    @Test
    void batchRowsTakeTheirOwnSamples() {
        Shape in = Shape.of(4, 2, 6, 7, 5);
        Tensor x = Inputs.NORMAL.tensor(in, 8);
        PoolOp.FractionalMax op = PoolOp.fractionalMax3d(2, 3, 2, 3, 3, 2, FractionalSamples.seeded(3));
        PoolResult whole = reference.forward(op, x);
        PoolOp part = op.forBatchRows(in, 1, 3);
        int perSample = (int) (in.elementCount() / in.n());
        float[] slice = java.util.Arrays.copyOfRange(x.data(), perSample, 3 * perSample);
        PoolResult partResult = reference.forward(part, new Tensor(Shape.of(2, 2, 6, 7, 5), slice));
        int outPerSample = 2 * 3 * 3 * 2;
        Compare.bitEqual(java.util.Arrays.copyOfRange(whole.indices().data(), outPerSample, 3 * outPerSample),
                partResult.indices().data(), "rows 1..3");
    }

    @Test
    void checksFollowPyTorch() {
        Shape in = Shape.of(2, 3, 6, 7, 8);
        // PyTorch's 3-D check is strict: out + k - 1 < in on every axis
        assertEquals(Shape.of(2, 3, 4, 5, 6), PoolOp.fractionalMax3d(2, 2, 2, 4, 5, 6, FractionalSamples.seeded(1)).outputShape(in));
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMax3d(2, 2, 2, 5, 5, 6, FractionalSamples.seeded(1)).outputShape(in));
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMax3d(2, 2, 2, 4, 6, 6, FractionalSamples.seeded(1)).outputShape(in));
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMax3d(2, 2, 2, 4, 5, 7, FractionalSamples.seeded(1)).outputShape(in));
        // samples: 3 per plane, C the input's, N at least the input's, values in [0, 1)
        assertThrows(IllegalArgumentException.class,
                () -> PoolOp.fractionalMax3d(2, 2, 2, 2, 2, 2, FractionalSamples.of(2, 3, new float[12])).outputShape(in));
        assertThrows(IllegalArgumentException.class,
                () -> PoolOp.fractionalMax3d(2, 2, 2, 2, 2, 2, FractionalSamples.of(2, 2, 3, new float[12])).outputShape(in));
        assertThrows(IllegalArgumentException.class,
                () -> PoolOp.fractionalMax3d(2, 2, 2, 2, 2, 2, FractionalSamples.of(1, 3, 3, new float[9])).outputShape(in));
        assertEquals(Shape.of(2, 3, 2, 2, 2),
                PoolOp.fractionalMax3d(2, 2, 2, 2, 2, 2, FractionalSamples.of(3, 3, 3, new float[27])).outputShape(in));
        assertThrows(IllegalArgumentException.class, () -> FractionalSamples.of(2, 3, 3, new float[17]));
        assertThrows(IllegalArgumentException.class, () -> FractionalSamples.of(2, 3, 4, new float[24]));
        for (float bad : new float[] {1f, -Float.MIN_VALUE, Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] u = new float[18];
            u[17] = bad;
            assertThrows(IllegalArgumentException.class, () -> FractionalSamples.of(2, 3, 3, u), "sample " + bad);
        }
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMax3d(0, 2, 2, 2, 2, 2, FractionalSamples.seeded(1)));
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMax3d(2, 2, 2, 2, 0, 2, FractionalSamples.seeded(1)));
        // rank: a 3-D op takes 5-D inputs only, a 2-D op 4-D only
        assertThrows(IllegalArgumentException.class,
                () -> PoolOp.fractionalMax3d(1, 2, 2, 1, 2, 2, FractionalSamples.seeded(1)).outputShape(Shape.of(1, 1, 5, 5)));
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO)) {
            Tensor x = Inputs.NORMAL.tensor(in, 1);
            PoolOp twoPerPlane = PoolOp.fractionalMax3d(2, 2, 2, 2, 2, 2, FractionalSamples.of(2, 3, new float[12]));
            assertThrows(IllegalArgumentException.class, () -> device.forward(twoPerPlane, x));
            assertThrows(IllegalArgumentException.class, () -> PoolPlan.create(context, twoPerPlane, in));
        }
    }

    /** An index in the plane but outside its 3-D window is refused by both backends and a plan's device check. */
    @Test
    void indicesOutsideTheirWindowAreRefused() {
        Shape in = Shape.of(1, 2, 6, 5, 7);
        PoolOp.FractionalMax op = PoolOp.fractionalMax3d(2, 2, 2, 3, 3, 3, FractionalSamples.seeded(11));
        Tensor x = Inputs.NORMAL.tensor(in, 2);
        PoolResult r = reference.forward(op, x);
        Tensor gy = Inputs.gradient(r.values().shape(), 2);
        int[] bad = r.indices().data().clone();
        bad[0] = 6 * 5 * 7 - 1; // the last tap of the plane: outside the first window
        IndexTensor badIndices = new IndexTensor(r.indices().shape(), bad);
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO)) {
            for (var backend : List.of(reference, device)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> backend.backward(op, gy, x, r.values(), badIndices));
                assertTrue(e.getMessage().contains("fractional pooling window"), e.getMessage());
            }
            try (PoolPlan plan = PoolPlan.create(context, op, in);
                 DeviceIndices uploaded = DeviceIndices.upload(context, badIndices);
                 DeviceIndices good = DeviceIndices.upload(context, r.indices())) {
                assertThrows(IllegalArgumentException.class, () -> plan.requireValidIndices(uploaded));
                plan.requireValidIndices(good);
                assertEquals(2L * 3 * Float.BYTES, plan.workspaceBytes(), "the samples, N x C x 3 floats");
            }
        }
    }

    // ---- reference vs device on awkward shapes -------------------------------------------------

    private static final Shape[] SHAPES = {Shape.of(1, 1, 2, 2, 2), Shape.of(2, 3, 5, 7, 9), Shape.of(1, 2, 13, 3, 4),
        Shape.of(1, 1, 3, 17, 2), Shape.of(3, 2, 9, 9, 9)};

    /** Per axis (output, kernel) with out + k - 1 < in: one output of kernel in − 1, kernel 1 with in − 1 outputs, about half with kernel 2, out + k = in. */
    private static int[] axis(int in, int choice) {
        return switch (choice) {
            case 0 -> new int[] {1, in - 1};                    // one output, kernel in - 1
            case 1 -> new int[] {in - 1, 1};                    // kernel 1, as many outputs as fit
            case 2 -> new int[] {Math.max(1, in / 2 - 1), 2 > in - 1 ? 1 : 2};
            default -> new int[] {Math.max(1, (in - 1) / 2), in - Math.max(1, (in - 1) / 2)}; // out + k = in: the tightest PyTorch allows
        };
    }

    static List<FractionalCase> cases() {
        List<FractionalCase> cases = new ArrayList<>();
        long seed = 47000;
        for (Shape shape : SHAPES) {
            for (int g = 0; g < 4; g++) {
                int[] d = axis(shape.d(), g);
                int[] h = axis(shape.h(), (g + 1) % 4);
                int[] w = axis(shape.w(), (g + 2) % 4);
                for (Inputs flavour : Inputs.values()) {
                    seed++;
                    FractionalSamples samples = FractionalCase.samples(shape, seed, 3);
                    cases.add(new FractionalCase(shape, PoolOp.fractionalMax3d(d[1], h[1], w[1], d[0], h[0], w[0], samples), flavour, seed));
                }
            }
        }
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> matchesReference() {
        return cases().stream().map(c -> dynamicTest(c.toString(), () -> c.check(context, reference)));
    }

}
