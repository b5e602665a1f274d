package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Inputs;
import io.clpool.support.TestDevices;
import io.clpool.support.SystemProperty;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * No kernel writes past the end of its outputs: every output buffer gets a guard band of
 * sentinel values after the tensor, and random cases of every op on every algorithm must leave it
 * untouched. On a CPU device an out-of-bounds write would otherwise corrupt the JVM's own memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GuardBandTest {
    private static final int CASES = 40;

    private ClContext context;

    @BeforeAll
    void open() {
        context = TestDevices.openContext();
    }

    @AfterAll
    void close() {
        if (context != null) {
            context.close();
        }
    }

    /**
     * Every op through a {@link PoolPlan}, on IM2COL and on both DIRECT families, writing into
     * caller buffers that are larger than their tensors (wrapped with {@link DeviceTensor#wrap}):
     * everything past the tensor is a guard band that must stay as it was.
     */
    @Test
    void randomCasesOfEveryOpLeaveTheGuardBandsAlone() {
        Random random = new Random(0x6A4D);
        ReferencePooling reference = new ReferencePooling();
        // A few window geometries (each is a build on DIRECT) over random awkward shapes.
        PoolSpec[] specs = {PoolSpec.of(2), PoolSpec.of(3).withStride(1).withPadding(1),
            PoolSpec.of(3, 2).withStride(2, 1).withDilation(1, 2), PoolSpec.of(1, 3).withStride(3, 1),
            PoolSpec.of(5).withStride(3).withPadding(2).withCeilMode(true)};
        String[] families = {"cpu", "gpu"};
        int cases = 0;
        while (cases < CASES) {
            Shape in = Shape.of(1 + random.nextInt(2), 1 + random.nextInt(3), 1 + random.nextInt(30), 1 + random.nextInt(70));
            PoolSpec spec = specs[cases % specs.length];
            if (!RandomizedDifferentialTest.fits(spec, in)) {
                continue;
            }
            cases++;
            Tensor x = Inputs.values()[random.nextInt(Inputs.values().length)].tensor(in, cases);
            PoolSpec lp = new PoolSpec(Math.min(spec.kernelH(), in.h()), Math.min(spec.kernelW(), in.w()),
                    spec.strideH(), spec.strideW(), 0, 0, 1, 1, spec.ceilMode());
            List<PoolOp> fixed = List.of(random.nextBoolean() ? PoolOp.max(spec) : PoolOp.min(spec),
                    PoolOp.avg(spec.withDilation(1), new AvgOptions(random.nextBoolean(), random.nextInt(3))), PoolOp.lp(lp, 2.0));
            String family = families[cases % 2];
            // the GPU family's column blocks of 1, 2 and 4 outputs (cases 1, 3, 5, ... take each in turn)
            String columns = String.valueOf(new int[] {1, 2, 4}[cases / 2 % 3]);
            try (SystemProperty forcedFamily = SystemProperty.set(KernelFamilies.KERNELS_PROPERTY, family);
                 SystemProperty forcedColumns = SystemProperty.set(DirectKernels.COLUMNS_PROPERTY, columns)) {
                for (Algorithm algorithm : List.of(Algorithm.IM2COL, Algorithm.DIRECT)) {
                    for (PoolOp op : fixed) {
                        guardedPassesOf(op, algorithm, op instanceof PoolOp.Lp ? abs(x) : x, null,
                                algorithm + "/" + family + "/" + columns + " columns " + op + " on " + in);
                    }
                }
            }
            PoolOp adaptiveMax = PoolOp.adaptiveMax(1 + random.nextInt(2 * in.h()), 1 + random.nextInt(2 * in.w()));
            guardedPassesOf(adaptiveMax, Algorithm.AUTO, x, null, adaptiveMax + " on " + in);
            PoolOp adaptiveAvg = PoolOp.adaptiveAvg(1 + random.nextInt(2 * in.h()), 1 + random.nextInt(2 * in.w()));
            guardedPassesOf(adaptiveAvg, Algorithm.AUTO, x, null, adaptiveAvg + " on " + in);
            PoolResult pooled = reference.forward(PoolOp.max(spec), x);
            guardedPassesOf(PoolOp.maxUnpool(in.h(), in.w()), Algorithm.AUTO, pooled.values(), pooled.indices(),
                    "unpool of " + spec + " on " + in);
        }
        assertEquals(CASES, cases);
    }

    /**
     * 3-D pooling (5-D inputs) through a {@link PoolPlan} on DIRECT and AUTO (and IM2COL for max and
     * min, its general kernels): max or min, average
     * (random count_include_pad and divisor), adaptive max and average (output sizes from 1 to twice
     * the input per axis) and max unpooling (to the input's size or a larger one), forward and
     * backward, on random awkward shapes: nothing past any output.
     */
    @Test
    void volumetricCasesLeaveTheGuardBandsAlone() {
        Random random = new Random(0x3D3D);
        ReferencePooling reference = new ReferencePooling();
        PoolSpec[] specs = {PoolSpec.of3d(2), PoolSpec.of3d(3).withStride(1).withPadding(1),
            PoolSpec.of3d(2, 3, 1).withStride(1, 2, 3).withPadding(1, 1, 0).withCeilMode(true),
            PoolSpec.of3d(3, 2, 3).withStride(2, 1, 2).withPadding(1, 1, 1).withDilation(2, 1, 3),
            PoolSpec.of3d(4, 1, 2).withStride(3, 2, 1).withPadding(2, 0, 1).withCeilMode(true)};
        int cases = 0;
        while (cases < CASES) {
            Shape in = Shape.of(1 + random.nextInt(2), 1 + random.nextInt(3), 1 + random.nextInt(12), 1 + random.nextInt(15),
                    1 + random.nextInt(40));
            PoolSpec spec = specs[cases % specs.length];
            if (!RandomizedDifferentialTest.fits(spec, in)) {
                continue;
            }
            cases++;
            Tensor x = Inputs.values()[random.nextInt(Inputs.values().length)].tensor(in, cases);
            List<PoolOp> fixed = new java.util.ArrayList<>(List.of(random.nextBoolean() ? PoolOp.max(spec) : PoolOp.min(spec)));
            if (!spec.hasDilation()) {
                fixed.add(PoolOp.avg(spec, new AvgOptions(random.nextBoolean(), random.nextInt(3))));
            }
            for (Algorithm algorithm : List.of(Algorithm.DIRECT, Algorithm.AUTO, Algorithm.IM2COL)) {
                for (PoolOp op : fixed) {
                    if (algorithm != Algorithm.IM2COL || op instanceof PoolOp.Extremum) { // IM2COL: 3-D max and min only
                        guardedPassesOf(op, algorithm, x, null, algorithm + " " + op + " on " + in);
                    }
                }
            }
            PoolOp adaptiveMax = PoolOp.adaptiveMax3d(1 + random.nextInt(2 * in.d()), 1 + random.nextInt(2 * in.h()),
                    1 + random.nextInt(2 * in.w()));
            guardedPassesOf(adaptiveMax, Algorithm.AUTO, x, null, adaptiveMax + " on " + in);
            PoolOp adaptiveAvg = PoolOp.adaptiveAvg3d(1 + random.nextInt(2 * in.d()), 1 + random.nextInt(2 * in.h()),
                    1 + random.nextInt(2 * in.w()));
            guardedPassesOf(adaptiveAvg, Algorithm.AUTO, x, null, adaptiveAvg + " on " + in);
            PoolResult pooled = reference.forward(PoolOp.max(spec), x);
            boolean larger = random.nextBoolean();
            PoolOp unpool = PoolOp.maxUnpool3d(in.d() + (larger ? 1 : 0), in.h() + (larger ? 2 : 0), in.w());
            guardedPassesOf(unpool, Algorithm.AUTO, pooled.values(), pooled.indices(), unpool + " of " + spec + " on " + in);
        }
        assertEquals(CASES, cases);
    }

    /**
     * Fractional max pooling on random awkward shapes, geometries (outputs of 1, kernel =
     * input − output + 1) and samples (the ends of [0, 1) included): nothing past its outputs.
     */
    @Test
    void fractionalMaxLeavesTheGuardBandsAlone() {
        Random random = new Random(0xF4AC);
        for (int cases = 0; cases < CASES; cases++) {
            Shape in = Shape.of(1 + random.nextInt(2), 1 + random.nextInt(3), 1 + random.nextInt(30), 1 + random.nextInt(70));
            int outH = 1 + random.nextInt(in.h());
            int outW = 1 + random.nextInt(in.w());
            int kernelH = random.nextBoolean() ? in.h() - outH + 1 : 1 + random.nextInt(in.h() - outH + 1);
            int kernelW = random.nextBoolean() ? in.w() - outW + 1 : 1 + random.nextInt(in.w() - outW + 1);
            float[] u = new float[2 * in.n() * in.c()];
            for (int i = 0; i < u.length; i++) {
                u[i] = switch (random.nextInt(3)) {
                    case 0 -> 0f;
                    case 1 -> Math.nextDown(1f);
                    default -> random.nextFloat();
                };
            }
            PoolOp op = PoolOp.fractionalMax(kernelH, kernelW, outH, outW, io.clpool.spec.FractionalSamples.of(in.n(), in.c(), u));
            Tensor x = Inputs.values()[random.nextInt(Inputs.values().length)].tensor(in, cases);
            guardedPassesOf(op, Algorithm.AUTO, x, null, op + " on " + in);
        }
    }

    /**
     * IM2COL's general kernels on 2-D channels-last tensors and on half types (either layout), and
     * DIRECT on the same, max or min on random awkward shapes: nothing past any output, whose guard
     * bands start right after the tensor's bytes in its type.
     */
    @Test
    void im2colGeneralCasesLeaveTheGuardBandsAlone() {
        Random random = new Random(0x12C6);
        PoolSpec[] specs = {PoolSpec.of(2), PoolSpec.of(3).withStride(1).withPadding(1),
            PoolSpec.of(3, 2).withStride(2, 1).withDilation(1, 2), PoolSpec.of(5).withStride(3).withPadding(2).withCeilMode(true)};
        DType[] types = {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16};
        int cases = 0;
        while (cases < CASES) {
            Shape plane = Shape.of(1 + random.nextInt(2), 1 + random.nextInt(9), 1 + random.nextInt(20), 1 + random.nextInt(30));
            PoolSpec spec = specs[cases % specs.length];
            if (!RandomizedDifferentialTest.fits(spec, plane)) {
                continue;
            }
            cases++;
            DType dtype = types[cases % types.length];
            Layout layout = dtype == DType.FLOAT32 || random.nextBoolean() ? Layout.CHANNELS_LAST : Layout.CHANNELS_FIRST;
            Tensor x = Inputs.values()[random.nextInt(Inputs.values().length)].tensor(plane.withLayout(layout), cases).toType(dtype);
            PoolOp op = random.nextBoolean() ? PoolOp.max(spec) : PoolOp.min(spec);
            for (Algorithm algorithm : List.of(Algorithm.IM2COL, Algorithm.DIRECT)) {
                guardedPassesOf(op, algorithm, x, null, algorithm + " " + dtype.label() + " " + op + " on " + x.shape());
            }
        }
        assertEquals(CASES, cases);
    }

    /** The forward and the backward of {@code op} on {@code x} (of any layout and type), each output guarded. */
    private void guardedPassesOf(PoolOp op, Algorithm algorithm, Tensor x, IndexTensor taken, String what) {
        GuardBands.checkPasses(context, op, algorithm, x, taken, what);
    }

    private static Tensor abs(Tensor x) {
        float[] data = x.data().clone();
        for (int i = 0; i < data.length; i++) {
            data[i] = Math.abs(data[i]);
        }
        return new Tensor(x.shape(), data);
    }
}
