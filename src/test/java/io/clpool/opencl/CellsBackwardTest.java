package io.clpool.opencl;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.DeviceTest;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The backward over disjoint windows, one work-item per window's cell, on the device's family: the
 * CPU family's channels-last {@code _windows_c8} (volume.cl, C a multiple of 8) and both families'
 * channels-first {@code _windows} (3-D, and float64 in 2-D): cells with a window's taps and the
 * positions between them (stride past the kernel, dilation), cells cut by padding and by the
 * input's end, cells past the last window (an input tail that no window reaches, with and without
 * ceil mode), in 2-D and 3-D, float32 and both half types (and float64 channels first where the
 * device has it): gradients against the reference, and nothing written past the gradient (guard
 * bands). FormatsDifferentialTest covers 2×2 and 2×2×2 as well; GpuFamilyVolumeTest the GPU family.
 */
class CellsBackwardTest extends DeviceTest {
    private static final DType[] TYPES = {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16};
    private static final Shape[] SHAPES = {Shape.of(2, 16, 11, 13), Shape.of(1, 8, 1, 7), Shape.of(1, 8, 5, 7, 9)};

    private final ReferencePooling reference = new ReferencePooling();

    /** Windows of the shape's rank: max/min/average where undilated, max/min where dilated; LP (p = 2) in 3-D. */
    private static List<PoolOp> ops(Shape shape, long seed) {
        List<PoolOp> ops = new ArrayList<>();
        if (shape.volumetric()) {
            PoolSpec padded = PoolSpec.of3d(2, 1, 3).withStride(2, 2, 4).withPadding(1, 0, 1).withCeilMode(true);
            PoolSpec dilated = PoolSpec.of3d(1, 2, 2).withStride(1, 3, 3).withDilation(1, 2, 1);
            ops.add(PoolOp.max(padded));
            ops.add(PoolOp.avg(padded, new AvgOptions(seed % 2 == 0, 0)));
            ops.add(PoolOp.min(dilated));
            // LP takes no padding: the same cells without it, gaps between the windows and a partial last one.
            ops.add(PoolOp.lp(PoolSpec.of3d(2, 1, 3).withStride(2, 2, 4).withCeilMode(true), 2.0));
        } else {
            PoolSpec padded = PoolSpec.of(3, 2).withStride(3, 4).withPadding(1, 1);
            PoolSpec dilated = PoolSpec.of(2).withStride(3).withDilation(2);
            ops.add(PoolOp.max(padded));
            ops.add(PoolOp.avg(padded, new AvgOptions(seed % 2 == 0, seed % 3 == 0 ? 5 : 0)));
            ops.add(PoolOp.min(dilated));
            ops.add(PoolOp.max(PoolSpec.of(2).withCeilMode(true)));
        }
        return ops;
    }

    @TestFactory
    Stream<DynamicTest> cellsBackwardMatchesTheReferenceInsideItsGradient() {
        return cases(Layout.CHANNELS_LAST, List.of(TYPES), List.of(SHAPES), 52000);
    }

    /**
     * Channels first: the 3-D shapes in the float types (2-D ones run direct.cl), and every shape in
     * float64. A width of 53 gives the CPU family's 8-cell rows ({@code _windows_w8}) whole rows
     * of stores inside the input as well as rows cut by its ends.
     */
    @TestFactory
    Stream<DynamicTest> channelsFirstCellsBackwardMatchesTheReferenceInsideItsGradient() {
        Stream<DynamicTest> volumes = cases(Layout.CHANNELS_FIRST, List.of(TYPES), List.of(SHAPES[2], Shape.of(1, 2, 3, 5, 53)), 53000);
        return Devices.listsExtension(context.device().extensions(), "cl_khr_fp64")
                ? Stream.concat(volumes, cases(Layout.CHANNELS_FIRST, List.of(DType.FLOAT64), List.of(SHAPES), 54000)) : volumes;
    }

    private Stream<DynamicTest> cases(Layout layout, List<DType> types, List<Shape> shapes, long firstSeed) {
        List<DynamicTest> tests = new ArrayList<>();
        long seed = firstSeed;
        for (DType dtype : types) {
            for (Shape shape : shapes) {
                for (PoolOp op : ops(shape, seed)) {
                    if (!RandomizedDifferentialTest.fits(op.spec(), shape)) {
                        continue;
                    }
                    long caseSeed = seed++;
                    Inputs flavour = Inputs.values()[(int) (caseSeed % Inputs.values().length)];
                    String name = op + " " + dtype.label() + " " + shape.withLayout(layout) + " " + flavour;
                    tests.add(dynamicTest(name, () -> {
                        Tensor raw = flavour.tensor(shape.withLayout(layout), caseSeed);
                        Tensor x = dtype == DType.FLOAT64 ? Differential.beyondFloat(raw, caseSeed) : raw.toType(dtype);
                        try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                            Differential.check(device, reference, op, x, null, caseSeed);
                        }
                        GuardBands.checkPasses(context, op, Algorithm.DIRECT, x, null, name);
                    }));
                }
            }
        }
        return tests.stream();
    }
}
