package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.DType;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import io.clpool.support.SweepCase;
import io.clpool.support.SystemProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The GPU family of the DIRECT kernels (one output per work-item, row blocks down columns,
 * 32×8 work-groups), forced with {@code clpool.kernels=gpu} so that CI checks it on POCL: every
 * fixed-window op over the whole sweep against the reference, forward and backward, and the half
 * types' 2-D channels-first cases.
 */
class GpuFamilyDifferentialTest extends GpuFamilyTest {
    @TestFactory
    Stream<DynamicTest> everyFixedWindowOpMatchesTheReference() {
        List<SweepCase> cases = SweepCase.fixedWindowSweep(true);
        assertTrue(cases.size() > 300, "the sweep should cover hundreds of cases, got " + cases.size());
        ReferencePooling reference = new ReferencePooling();
        return Stream.of("max", "min", "avg", "lp").flatMap(op -> cases.stream()
                .filter(c -> !op.equals("lp") || !c.spec().hasPadding())
                .map(c -> dynamicTest("gpu family " + op + " " + c, () -> {
                    assertTrue(!KernelFamilies.cpuFamily(context), "the GPU family should be forced");
                    Differential.check(new OpenClPooling(context, Algorithm.DIRECT), reference, op, c.input(), c.spec(), c.seed());
                })));
    }

    /** The half types on the GPU family: FormatsDifferentialTest's 2-D channels-first float16/bfloat16 fixed-window cases. */
    @TestFactory
    Stream<DynamicTest> halfTypesMatchTheReference() {
        List<FormatsDifferentialTest.Case> cases = FormatsDifferentialTest.cases().stream()
                .filter(c -> !c.shape().volumetric() && c.format().layout() == Layout.CHANNELS_FIRST && c.format().dtype() != DType.FLOAT32
                        && List.of("max", "min", "avg", "lp").contains(c.op()))
                .toList();
        assertTrue(cases.size() > 100, "the half-type cases should number over a hundred, got " + cases.size());
        ReferencePooling reference = new ReferencePooling();
        return cases.stream().map(c -> dynamicTest("gpu family " + c, () -> {
            assertTrue(!KernelFamilies.cpuFamily(context), "the GPU family should be forced");
            try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                Differential.check(device, reference, c.op(), c.input(), c.window(), c.seed());
            }
        }));
    }

    /**
     * The column-block forward kernels (extremum_forward_column, avg_forward_column, lp_forward_column) with 1, 2 and
     * 4 columns per work-item ({@code clpool.gpu.columns}) on awkward shapes: output widths of 1, 7
     * and 93 and widths no multiple of the block, stride past the kernel, dilation, padding, ceil
     * mode; NaN and infinities, ties and all-negative values next to padding; float32 and the half
     * types. Max and min against the reference bit for bit (values, indices, gradient); average
     * and LP against the reference within tolerance and bit for bit against the CPU family's
     * kernels, which sum each window in the same order (count_include_pad either way, divisor
     * overrides, LP's norms 1.5, 2 and 3; LP with 2 columns, float32 and float16).
     */
    @TestFactory
    Stream<DynamicTest> columnBlocksMatchTheReference() {
        Shape[] shapes = {Shape.of(1, 2, 5, 1), Shape.of(1, 1, 6, 2), Shape.of(2, 1, 7, 7), Shape.of(1, 2, 9, 14),
            Shape.of(1, 1, 4, 93), Shape.of(1, 1, 3, 186), Shape.of(1, 1, 11, 15)};
        PoolSpec[] specs = {PoolSpec.of(2), PoolSpec.of(3).withStride(1).withPadding(1), PoolSpec.of(3).withStride(2).withPadding(1),
            PoolSpec.of(2).withStride(3).withCeilMode(true), PoolSpec.of(3).withStride(1).withDilation(2),
            PoolSpec.of(3, 2).withStride(2, 1).withDilation(1, 2), PoolSpec.of(1, 3).withStride(3, 1),
            PoolSpec.of(4).withStride(3).withPadding(2).withCeilMode(true)};
        List<DynamicTest> tests = new ArrayList<>();
        ReferencePooling reference = new ReferencePooling();
        long seed = 0;
        for (int columns : new int[] {1, 2, 4}) {
            for (PoolSpec spec : specs) {
                assertTrue(DirectKernels.columnKernel(spec), "the block kernels should exist for " + spec);
                for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16)) {
                    for (Shape shape : shapes) {
                        if (!RandomizedDifferentialTest.fits(spec, shape)) {
                            continue;
                        }
                        for (String op : List.of("max", "min", "avg", "lp")) {
                            if (op.equals("lp") && (columns != 2 || dtype == DType.BFLOAT16)) {
                                continue; // LP shares average's blocks; each LP build costs seconds on POCL
                            }
                            long s = ++seed;
                            Inputs flavour = Inputs.values()[(int) (s % Inputs.values().length)];
                            Tensor x = flavour.tensor(shape, s).toType(dtype);
                            tests.add(dynamicTest("gpu family " + columns + " columns " + op + " " + dtype.label() + " " + flavour + " "
                                    + shape + " " + spec, () -> checkColumns(columns, op, x, spec, s, reference)));
                        }
                    }
                }
            }
        }
        assertTrue(tests.size() > 1000, "the column-block cases should number over a thousand, got " + tests.size());
        return tests.stream();
    }

    private void checkColumns(int columns, String op, Tensor x, PoolSpec spec, long seed, ReferencePooling reference) {
        assertTrue(!KernelFamilies.cpuFamily(context), "the GPU family should be forced");
        try (SystemProperty forced = SystemProperty.set(DirectKernels.COLUMNS_PROPERTY, Integer.toString(columns))) {
            assertEquals(columns, DirectKernels.forwardColumns(spec));
            assertEquals(columns, DirectKernels.bandColumns());
            try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                Differential.check(device, reference, op, x, spec, seed);
            }
            if (op.equals("avg") || op.equals("lp")) {
                PoolOp sum = Differential.op(op, x, spec, seed);
                Tensor input = op.equals("lp") ? Differential.abs(x) : x;
                Tensor blocks;
                try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                    blocks = device.forward(sum, input).values();
                }
                Tensor perOutput;
                try (SystemProperty cpuFamily = SystemProperty.set(KernelFamilies.KERNELS_PROPERTY, "cpu");
                     OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                    perOutput = device.forward(sum, input).values();
                }
                // Bit for bit; any NaN equals any NaN (a NaN's payload follows the compiler's operand order).
                Compare.bitEqual(perOutput, blocks, sum + ", column blocks against the CPU family");
            }
        }
    }

    /**
     * Each launch shape GpuLaunchShape offers, forced by its property: the tiled range everywhere and
     * the flat range everywhere (the default: flat for the column and block kernels), 1, 2 and 8 rows per
     * work-item, other tiles. The same awkward shapes and windows as the column blocks, max and
     * average, forward and backward (the column, block-gather and band kernels), against the reference.
     */
    @TestFactory
    Stream<DynamicTest> everyLaunchShapeMatchesTheReference() {
        String[][] shapes = {{GpuLaunchShape.FLAT_PROPERTY, "none"}, {GpuLaunchShape.FLAT_PROPERTY, "all"},
            {GpuLaunchShape.ROWS_PROPERTY, "1"}, {GpuLaunchShape.ROWS_PROPERTY, "2"}, {GpuLaunchShape.ROWS_PROPERTY, "8"},
            {GpuLaunchShape.TILE_PROPERTY, "8x2"}};
        Shape[] inputs = {Shape.of(1, 2, 5, 1), Shape.of(2, 1, 7, 7), Shape.of(1, 1, 4, 93), Shape.of(1, 3, 11, 15)};
        PoolSpec[] specs = {PoolSpec.of(2), PoolSpec.of(3).withStride(1).withPadding(1), PoolSpec.of(3).withStride(2).withPadding(1),
            PoolSpec.of(2).withStride(3).withCeilMode(true), PoolSpec.of(3).withStride(1).withDilation(2)};
        List<DynamicTest> tests = new ArrayList<>();
        ReferencePooling reference = new ReferencePooling();
        long seed = 5000;
        for (String[] launch : shapes) {
            for (PoolSpec spec : specs) {
                for (Shape shape : inputs) {
                    if (!RandomizedDifferentialTest.fits(spec, shape)) {
                        continue;
                    }
                    for (String op : List.of("max", "avg")) {
                        long s = ++seed;
                        Inputs flavour = Inputs.values()[(int) (s % Inputs.values().length)];
                        Tensor x = flavour.tensor(shape, s);
                        tests.add(dynamicTest("gpu family " + launch[0] + "=" + launch[1] + " " + op + " " + flavour + " " + shape + " " + spec,
                                () -> {
                                    try (SystemProperty forced = SystemProperty.set(launch[0], launch[1]);
                                         OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                                        assertTrue(!KernelFamilies.cpuFamily(context), "the GPU family should be forced");
                                        Differential.check(device, reference, op, x, spec, s);
                                    }
                                }));
                    }
                }
            }
        }
        assertTrue(tests.size() > 150, "the launch-shape cases should number over a hundred and fifty, got " + tests.size());
        return tests.stream();
    }

    @Test
    void badLaunchShapePropertiesAreRefused() {
        for (String[] bad : new String[][] {{GpuLaunchShape.ROWS_PROPERTY, "3"}, {GpuLaunchShape.TILE_PROPERTY, "32"},
            {GpuLaunchShape.TILE_PROPERTY, "0x8"}, {GpuLaunchShape.FLAT_PROPERTY, "true"}}) {
            try (SystemProperty forced = SystemProperty.set(bad[0], bad[1]);
                 OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                Tensor x = Inputs.values()[0].tensor(Shape.of(1, 1, 8, 8), 1);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> device.forward(PoolOp.max(PoolSpec.of(2)), x), bad[0] + "=" + bad[1]);
                assertTrue(e.getMessage().contains(bad[0]) && e.getMessage().contains("'" + bad[1] + "'"), e.getMessage());
            }
        }
    }

    @Test
    void columnsOtherThanOneTwoOrFourAreRefused() {
        try (SystemProperty three = SystemProperty.set(DirectKernels.COLUMNS_PROPERTY, "3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DirectKernels.forwardColumns(PoolSpec.of(2)));
            assertTrue(e.getMessage().contains("'3'"), e.getMessage());
        }
        // The defaults the H200 measured best: 2 forward where windows don't overlap along the row, else 1; 1 in the band backward.
        assertEquals(2, DirectKernels.forwardColumns(PoolSpec.of(2)), "disjoint windows forward");
        assertEquals(2, DirectKernels.forwardColumns(PoolSpec.of(2).withStride(3)), "stride past the kernel forward");
        assertEquals(1, DirectKernels.forwardColumns(PoolSpec.of(3).withStride(2)), "windows overlapping along the row");
        assertEquals(1, DirectKernels.forwardColumns(PoolSpec.of(2).withDilation(2)), "dilated windows reaching into the next");
        assertEquals(1, DirectKernels.bandColumns(), "the band backward");
        // Rows per work-item on the GPU family: 8 where the block's input rows fit the preloaded registers, else 4; 1 without overlap.
        assertEquals(8, DirectKernels.gpuRowsPerItem(PoolSpec.of(3).withStride(1).withPadding(1)), "3x3 stride 1");
        assertEquals(4, DirectKernels.gpuRowsPerItem(PoolSpec.of(3).withStride(2).withPadding(1)), "3x3 stride 2: 17 rows of 3");
        assertEquals(4, DirectKernels.gpuRowsPerItem(PoolSpec.of(5).withStride(1)), "5x5 stride 1: 12 rows of 5");
        assertEquals(1, DirectKernels.gpuRowsPerItem(PoolSpec.of(2)), "2x2 stride 2: no overlap");
    }
}
