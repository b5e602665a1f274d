package io.clpool.opencl;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Inputs;
import io.clpool.support.DeviceTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * DIRECT's GPU path (one output per work-item, no segment kernels) run on whatever device the
 * tests have, so that path is checked against the reference even where CI has only a CPU, for
 * both segment settings.
 */
class DirectPerOutputPathTest extends DeviceTest {
    private final ReferencePooling reference = new ReferencePooling();

    @TestFactory
    Stream<DynamicTest> bothPathsMatchTheReference() {
        Shape[] shapes = {Shape.of(2, 3, 20, 113), Shape.of(1, 2, 9, 40), Shape.of(2, 2, 5, 7)};
        PoolSpec[] specs = {PoolSpec.of(2), PoolSpec.of(3).withStride(1).withPadding(1), PoolSpec.of(3).withStride(2).withPadding(1),
                PoolSpec.of(2).withStride(3).withCeilMode(true), PoolSpec.of(3).withStride(1).withDilation(2)};
        return Stream.of(false, true).flatMap(segments -> Stream.of(shapes).flatMap(shape -> Stream.of(specs)
                .map(spec -> dynamicTest((segments ? "segments " : "per-output ") + shape + " " + spec,
                        () -> check(new DirectKernels(context, segments), shape, spec)))));
    }

    private void check(DirectKernels kernels, Shape shape, PoolSpec spec) {
        Tensor x = Inputs.SPECIAL.tensor(shape, shape.w() * 31L + spec.kernelH());
        PoolResult expected = reference.maxPool2d(x, spec);
        Shape out = expected.values().shape();
        Tensor dy = Inputs.gradient(out, 9);
        Tensor expectedGrad = reference.maxPool2dBackward(dy, expected.indices(), shape, spec);
        float[] values = new float[out.elementCountAsInt()];
        int[] indices = new int[values.length];
        float[] grad = new float[shape.elementCountAsInt()];
        try (ClBuffer in = context.upload(x.data(), "x");
             ClBuffer v = context.allocate(values.length * 4L, "values");
             ClBuffer i = context.allocate(values.length * 4L, "indices");
             ClBuffer g = context.upload(dy.data(), "dy");
             ClBuffer dx = context.allocate(grad.length * 4L, "dx")) {
            synchronized (context) {
                kernels.extremumForward(in, shape, out, spec, false, v, i);
                kernels.indexedBackward(g, i, shape, out, spec, dx);
            }
            v.read(values);
            i.read(indices);
            dx.read(grad);
        }
        Compare.bitEqual(expected.values().data(), values, "values");
        Compare.bitEqual(expected.indices().data(), indices, "indices");
        Compare.close(expectedGrad.data(), grad, "gradient");
    }
}
