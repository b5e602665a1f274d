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
 * Fractional max pooling on OpenCL against the reference on awkward shapes (1, 7, 93,
 * non-square), outputs of 1, identity (kernel 1, output = input), kernel = input − output + 1,
 * every input flavour (NaN/±inf, ties, all negative, constant), samples at the ends of [0, 1):
 * values, indices and gradients bit for bit (the device's gather sums in the reference's order),
 * two backward runs bitwise equal. Plus the placement rule worked by hand, and the checks.
 */
class FractionalDifferentialTest extends DeviceTest {
    private static final Shape[] SHAPES = {Shape.of(1, 1, 1, 1), Shape.of(1, 1, 7, 7), Shape.of(2, 3, 7, 93),
        Shape.of(1, 2, 93, 7), Shape.of(3, 1, 17, 40)};
    /** (output, kernel) per axis as fractions of the input: resolved by {@link #fit}. */
    private static final int[][] GEOMETRIES = {
        {1, 1, 1, 1},      // one output, 1x1 window
        {1, 0, 1, 0},      // one output, the window the whole plane (kernel = input)
        {-1, 1, -1, 1},    // output = input, kernel 1: the identity
        {-2, 2, -2, 2},    // about half the input, kernel 2
        {-3, 3, -2, 2},    // about a third by a half, kernel 3x2
        {-2, 0, -3, 0},    // kernel = input - output + 1: the first window ends where the last starts
    };

    private final ReferencePooling reference = new ReferencePooling();

    /** A kernel of 0 means in − out + 1; an output of −d means max(1, in / d). */
    private static int[] fit(int in, int out, int kernel) {
        int o = out > 0 ? Math.min(out, in) : Math.max(1, in / -out);
        int k = kernel > 0 ? Math.min(kernel, in - o + 1) : in - o + 1;
        return new int[] {o, Math.max(1, k)};
    }

    static List<FractionalCase> cases() {
        List<FractionalCase> cases = new ArrayList<>();
        long seed = 9100;
        for (Shape shape : SHAPES) {
            for (int[] g : GEOMETRIES) {
                int[] h = fit(shape.h(), g[0], g[1]);
                int[] w = fit(shape.w(), g[2], g[3]);
                for (Inputs flavour : Inputs.values()) {
                    seed++;
                    FractionalSamples samples = FractionalCase.samples(shape, seed, 2);
                    cases.add(new FractionalCase(shape, PoolOp.fractionalMax(h[1], w[1], h[0], w[0], samples), flavour, seed));
                }
            }
        }
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> matchesReference() {
        return cases().stream().map(c -> dynamicTest(c.toString(), () -> c.check(context, reference)));
    }

    /**
     * PyTorch's rule by hand: input 10, output 4, kernel 2, sample 0.5: alpha = 8/3 in float
     * (2.6666667); starts int(0.5a) − int(0.5a) = 0, int(1.5a) − 1 = 3, int(2.5a) − 1 = 5, and the
     * last at 10 − 2 = 8. Sample 0 places columns, sample 1 rows: with sample 0 for columns, rows
     * of one output start at 10 − 2 = 8 (output height 1).
     */
    @Test
    void placementWorkedByHand() {
        float alpha = FractionalWindows.alpha(10, 4, 2);
        assertEquals(8f / 3f, alpha);
        int[] starts = new int[4];
        for (int o = 0; o < 4; o++) {
            starts[o] = FractionalWindows.start(o, 0.5f, alpha, 10, 4, 2);
        }
        assertArrayEquals(new int[] {0, 3, 5, 8}, starts);
        // x[h][w] = h*10 + w grows to the bottom right: each window's winner is its last tap.
        float[] data = new float[100];
        for (int i = 0; i < 100; i++) {
            data[i] = i;
        }
        Tensor x = new Tensor(Shape.of(1, 1, 10, 10), data);
        PoolOp op = PoolOp.fractionalMax(2, 2, 1, 4, FractionalSamples.of(1, 1, new float[] {0.5f, 0.25f}));
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO)) {
            for (var backend : List.of(reference, device)) {
                PoolResult r = backend.forward(op, x);
                assertArrayEquals(new int[] {9 * 10 + 1, 9 * 10 + 4, 9 * 10 + 6, 9 * 10 + 9}, r.indices().data(), backend.name());
                assertArrayEquals(new float[] {91, 94, 96, 99}, r.values().data(), backend.name());
            }
        }
    }

    /** Seeded samples are java.util.Random(seed).nextFloat() in (n, c, axis) order. */
    @Test
    void seededSamplesAreDocumentedDraws() {
        Random random = new Random(42);
        float[] expected = new float[2 * 2 * 3];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = random.nextFloat();
        }
        assertArrayEquals(expected, FractionalSamples.seeded(42).forInput(2, 3));
        PoolOp.FractionalMax seeded = PoolOp.fractionalMax(2, 2, 3, 3, FractionalSamples.seeded(42));
        PoolOp.FractionalMax explicit = PoolOp.fractionalMax(2, 2, 3, 3, FractionalSamples.of(2, 3, expected));
        Tensor x = Inputs.NORMAL.tensor(Shape.of(2, 3, 9, 8), 5);
        Compare.bitEqual(reference.forward(explicit, x).indices().data(), reference.forward(seeded, x).indices().data(), "seeded");
    }

    /** A split batch gives each part its own rows of samples. */
    @Test
    void batchRowsTakeTheirOwnSamples() {
        Shape in = Shape.of(4, 2, 12, 11);
        Tensor x = Inputs.NORMAL.tensor(in, 8);
        PoolOp.FractionalMax op = PoolOp.fractionalMax(2, 3, 5, 4, FractionalSamples.seeded(3));
        PoolResult whole = reference.forward(op, x);
        PoolOp part = op.forBatchRows(in, 1, 3);
        Shape partShape = Shape.of(2, 2, 12, 11);
        int perSample = (int) (in.elementCount() / in.n());
        float[] slice = java.util.Arrays.copyOfRange(x.data(), perSample, 3 * perSample);
        PoolResult partResult = reference.forward(part, new Tensor(partShape, slice));
        int outPerSample = 2 * 5 * 4;
        Compare.bitEqual(java.util.Arrays.copyOfRange(whole.indices().data(), outPerSample, 3 * outPerSample),
                partResult.indices().data(), "rows 1..3");
    }

    @Test
    void checksFollowPyTorchAndRefuseWhatCouldLeaveTheInput() {
        Shape in = Shape.of(2, 3, 9, 8);
        float[] ok = new float[2 * 3 * 2];
        // output + kernel - 1 <= input per axis
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMax(3, 2, 8, 3, FractionalSamples.seeded(1)).outputShape(in));
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMax(2, 3, 3, 7, FractionalSamples.seeded(1)).outputShape(in));
        assertEquals(Shape.of(2, 3, 7, 6), PoolOp.fractionalMax(3, 3, 7, 6, FractionalSamples.seeded(1)).outputShape(in));
        // samples: C must equal the input's, N at least the input's (extra rows unused), values in [0, 1)
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMax(2, 2, 3, 3, FractionalSamples.of(2, 2, new float[8])).outputShape(in));
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMax(2, 2, 3, 3, FractionalSamples.of(1, 3, new float[6])).outputShape(in));
        assertEquals(Shape.of(2, 3, 3, 3), PoolOp.fractionalMax(2, 2, 3, 3, FractionalSamples.of(3, 3, new float[18])).outputShape(in));
        assertThrows(IllegalArgumentException.class, () -> FractionalSamples.of(2, 3, new float[11]));
        for (float bad : new float[] {1f, -0f - Float.MIN_VALUE, Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] u = ok.clone();
            u[5] = bad;
            assertThrows(IllegalArgumentException.class, () -> FractionalSamples.of(2, 3, u), "sample " + bad);
        }
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMax(0, 2, 3, 3, FractionalSamples.seeded(1)));
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMax(2, 2, 3, 0, FractionalSamples.seeded(1)));
        // ratio: floor(input * ratio), as PyTorch's output_ratio
        assertEquals(Shape.of(2, 3, 6, 4), PoolOp.fractionalMaxRatio(2, 2, 0.7, 0.5, in, FractionalSamples.seeded(1)).outputShape(in));
        assertThrows(IllegalArgumentException.class, () -> PoolOp.fractionalMaxRatio(2, 2, 1.0, 0.5, in, FractionalSamples.seeded(1)));
        // the samples shape is checked on every backend, before any device work
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO)) {
            Tensor x = Inputs.NORMAL.tensor(in, 1);
            PoolOp wrongC = PoolOp.fractionalMax(2, 2, 3, 3, FractionalSamples.of(2, 2, new float[8]));
            assertThrows(IllegalArgumentException.class, () -> device.forward(wrongC, x));
            assertThrows(IllegalArgumentException.class, () -> PoolPlan.create(context, wrongC, in));
        }
    }

    /** An index outside its own window is refused on both backends, and by a plan's device check. */
    @Test
    void indicesOutsideTheirWindowAreRefused() {
        Shape in = Shape.of(1, 2, 12, 10);
        PoolOp.FractionalMax op = PoolOp.fractionalMax(2, 2, 4, 4, FractionalSamples.seeded(11));
        Tensor x = Inputs.NORMAL.tensor(in, 2);
        PoolResult r = reference.forward(op, x);
        Tensor gy = Inputs.gradient(r.values().shape(), 2);
        int[] bad = r.indices().data().clone();
        bad[5] = bad[5] == 0 ? 119 : 0; // another window's (or the last) tap: inside the plane, outside its window
        IndexTensor badIndices = new IndexTensor(r.indices().shape(), bad);
        int[] outside = r.indices().data().clone();
        outside[3] = 120;
        IndexTensor outsidePlane = new IndexTensor(r.indices().shape(), outside);
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO)) {
            for (var backend : List.of(reference, device)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> backend.backward(op, gy, x, r.values(), badIndices));
                assertTrue(e.getMessage().contains("fractional pooling window"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> backend.backward(op, gy, x, r.values(), outsidePlane));
            }
            try (PoolPlan plan = PoolPlan.create(context, op, in);
                 DeviceIndices uploaded = DeviceIndices.upload(context, badIndices);
                 DeviceIndices good = DeviceIndices.upload(context, r.indices())) {
                assertThrows(IllegalArgumentException.class, () -> plan.requireValidIndices(uploaded));
                plan.requireValidIndices(good);
                assertEquals(2L * 2 * Float.BYTES, plan.workspaceBytes(), "the samples, N x C x 2 floats");
            }
        }
    }
}
