package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Inputs;
import io.clpool.support.DeviceTest;
import io.clpool.support.SystemProperty;
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
        // 0: the CPU family (segments); 1, 2, 4: the GPU family with that many columns per work-item.
        return Stream.of(0, 1, 2, 4).flatMap(columns -> Stream.of(shapes).flatMap(shape -> Stream.of(specs)
                .map(spec -> dynamicTest((columns == 0 ? "segments " : "per-output, " + columns + " columns ") + shape + " " + spec,
                        () -> check(columns, shape, spec)))));
    }

    /**
     * Forces the CPU (segments, {@code columns} 0) or GPU (blocks of outputs per work-item) family
     * with the clpool.kernels property, and the GPU family's columns per work-item with clpool.gpu.columns.
     */
    private void check(int columns, Shape shape, PoolSpec spec) {
        boolean segments = columns == 0;
        Tensor x = Inputs.SPECIAL.tensor(shape, shape.w() * 31L + spec.kernelH());
        PoolResult expected = Calls.maxPool2d(reference, x, spec);
        Tensor dy = Inputs.gradient(expected.values().shape(), 9);
        Tensor expectedGrad = Calls.maxPool2dBackward(reference, dy, expected.indices(), shape, spec);
        // Column blocks of the GPU family only (the CPU family has none: 1 leaves its builds as they are).
        try (SystemProperty family = SystemProperty.set(KernelFamilies.KERNELS_PROPERTY, segments ? "cpu" : "gpu");
             SystemProperty blocks = SystemProperty.set(DirectKernels.COLUMNS_PROPERTY, Integer.toString(segments ? 1 : columns))) {
            OpenClPooling pool = new OpenClPooling(context, io.clpool.Algorithm.DIRECT);
            PoolResult actual = Calls.maxPool2d(pool, x, spec);
            Compare.bitEqual(expected.values().data(), actual.values().data(), "values");
            Compare.bitEqual(expected.indices().data(), actual.indices().data(), "indices");
            Compare.close(expectedGrad.data(), Calls.maxPool2dBackward(pool, dy, actual.indices(), shape, spec).data(), "gradient");
        }
    }
}
