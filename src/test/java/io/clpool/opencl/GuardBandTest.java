package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.clpool.IndexTensor;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AdaptiveWindows;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Inputs;
import io.clpool.support.TestDevices;
import java.util.Arrays;
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
    private static final int GUARD = 4096;
    private static final float SENTINEL = 12345.678f;
    private static final int SENTINEL_INT = 0x5EED5EED;

    private ClContext context;
    private Workspace workspace;

    @BeforeAll
    void open() {
        context = TestDevices.openContext();
        workspace = new Workspace(context);
    }

    @AfterAll
    void close() {
        if (context != null) {
            workspace.close();
            context.close();
        }
    }

    @Test
    void randomCasesOfEveryOpLeaveTheGuardBandsAlone() {
        Random random = new Random(0x6A4D);
        ReferencePooling reference = new ReferencePooling();
        FixedWindowKernels[] algorithms = {new Im2colKernels(context, workspace), new DirectKernels(context)};
        AdaptiveKernels adaptive = new AdaptiveKernels(context);
        UnpoolKernels unpool = new UnpoolKernels(context, workspace);
        // A few window geometries (each is a build on DIRECT) over random awkward shapes.
        PoolSpec[] specs = {PoolSpec.of(2), PoolSpec.of(3).withStride(1).withPadding(1),
            PoolSpec.of(3, 2).withStride(2, 1).withDilation(1, 2), PoolSpec.of(1, 3).withStride(3, 1),
            PoolSpec.of(5).withStride(3).withPadding(2).withCeilMode(true)};
        int cases = 0;
        while (cases < CASES) {
            Shape in = Shape.of(1 + random.nextInt(2), 1 + random.nextInt(3), 1 + random.nextInt(30), 1 + random.nextInt(70));
            PoolSpec spec = specs[cases % specs.length];
            if (!RandomizedDifferentialTest.fits(spec, in)) {
                continue;
            }
            cases++;
            Shape out = spec.outputShape(in);
            Tensor x = Inputs.values()[random.nextInt(Inputs.values().length)].tensor(in, cases);
            Tensor dy = Inputs.gradient(out, cases);
            PoolResult pooled = reference.maxPool2d(x, spec);
            String what = in + " " + spec;
            try (ClBuffer input = context.upload(x.data(), "x");
                 ClBuffer gradOut = context.upload(dy.data(), "dy");
                 ClBuffer indices = context.upload(pooled.indices().data(), "idx")) {
                for (FixedWindowKernels kernels : algorithms) {
                    String name = kernels.getClass().getSimpleName() + " " + what;
                    guarded(out, 2, name + " max forward", (v, i) -> kernels.extremumForward(input, in, out, spec, random.nextBoolean(), v, i));
                    guarded(in, 1, name + " max backward", (g, unused) -> kernels.indexedBackward(gradOut, indices, in, out, spec, g));
                    PoolSpec plain = spec.withDilation(1);
                    Shape avgOut = plain.outputShape(in);
                    AvgOptions options = new AvgOptions(random.nextBoolean(), random.nextInt(3));
                    try (ClBuffer avgGrad = context.upload(Inputs.gradient(avgOut, cases).data(), "avg dy")) {
                        guarded(avgOut, 1, name + " avg forward", (o, unused) -> kernels.avgForward(input, in, avgOut, plain, options, o));
                        guarded(in, 1, name + " avg backward", (g, unused) -> kernels.avgBackward(avgGrad, in, avgOut, plain, options, g));
                    }
                    PoolSpec lp = new PoolSpec(Math.min(spec.kernelH(), in.h()), Math.min(spec.kernelW(), in.w()),
                            spec.strideH(), spec.strideW(), 0, 0, 1, 1, spec.ceilMode());
                    Shape lpOut = lp.outputShape(in);
                    Tensor lpY = reference.lpPool2d(x, lp, 2.0);
                    try (ClBuffer y = context.upload(lpY.data(), "lp y");
                         ClBuffer lpGrad = context.upload(Inputs.gradient(lpOut, cases).data(), "lp dy")) {
                        guarded(lpOut, 1, name + " lp forward", (o, unused) -> kernels.lpForward(input, in, lpOut, lp, 2.0f, o));
                        guarded(in, 1, name + " lp backward", (g, unused) -> kernels.lpBackward(lpGrad, input, y, in, lpOut, lp, 2.0f, g));
                    }
                }
                int oh = 1 + random.nextInt(2 * in.h());
                int ow = 1 + random.nextInt(2 * in.w());
                Shape adaptiveOut = AdaptiveWindows.outputShape(in, oh, ow);
                PoolResult adaptivePooled = reference.adaptiveMaxPool2d(x, oh, ow);
                try (ClBuffer adaptiveGrad = context.upload(Inputs.gradient(adaptiveOut, cases).data(), "adaptive dy");
                     ClBuffer adaptiveIdx = context.upload(adaptivePooled.indices().data(), "adaptive idx")) {
                    guarded(adaptiveOut, 2, "adaptive max forward " + what, (v, i) -> adaptive.maxForward(input, in, adaptiveOut, v, i));
                    guarded(in, 1, "adaptive max backward " + what, (g, unused) -> adaptive.maxBackward(adaptiveGrad, adaptiveIdx, in, adaptiveOut, g));
                    guarded(adaptiveOut, 1, "adaptive avg forward " + what, (o, unused) -> adaptive.avgForward(input, in, adaptiveOut, o));
                    guarded(in, 1, "adaptive avg backward " + what, (g, unused) -> adaptive.avgBackward(adaptiveGrad, in, adaptiveOut, g));
                }
                try (ClBuffer values = context.upload(pooled.values().data(), "values")) {
                    guarded(in, 1, "unpool forward " + what, (o, unused) -> unpool.forward(values, indices, out, in, o));
                    try (ClBuffer unpooledGrad = context.upload(Inputs.gradient(in, cases).data(), "unpooled dy")) {
                        guarded(out, 1, "unpool backward " + what, (g, unused) -> unpool.backward(unpooledGrad, indices, out, in, g));
                    }
                }
            }
        }
        assertEquals(CASES, cases);
    }

    private interface Launch {
        void into(ClBuffer first, ClBuffer second);
    }

    /** Runs {@code launch} into one float (and, with two outputs, one int) buffer of {@code shape} plus guard bands. */
    private void guarded(Shape shape, int outputs, String what, Launch launch) {
        int count = shape.elementCountAsInt();
        float[] floats = new float[count + GUARD];
        Arrays.fill(floats, SENTINEL);
        int[] ints = new int[count + GUARD];
        Arrays.fill(ints, SENTINEL_INT);
        try (ClBuffer first = context.upload(floats, "guarded output");
             ClBuffer second = outputs == 2 ? context.upload(ints, "guarded indices") : null) {
            synchronized (context) {
                launch.into(first, second);
            }
            first.read(floats);
            for (int i = count; i < floats.length; i++) {
                if (Float.floatToRawIntBits(floats[i]) != Float.floatToRawIntBits(SENTINEL)) {
                    fail(what + ": wrote " + floats[i] + " at element " + i + ", past the " + count + " of the output");
                }
            }
            if (second != null) {
                second.read(ints);
                for (int i = count; i < ints.length; i++) {
                    if (ints[i] != SENTINEL_INT) {
                        fail(what + ": wrote index " + ints[i] + " at element " + i + ", past the " + count + " of the indices");
                    }
                }
            }
        }
    }
}
