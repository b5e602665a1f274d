package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.DType;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import io.clpool.support.SystemProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The GPU family's block gathers (direct.cl's GATHER_BLOCK: indexed_, avg_ and
 * lp_backward_gather_block), forced on POCL, for every op whose backward takes them (max, min,
 * average and LP where windows overlap), and LP's band map for disjoint windows, gaps between
 * them too (lp_backward_band_window, which replaces the same per-element gather):
 * max and min against the reference bit for bit, average and LP within tolerance, and all four
 * against the per-element gathers ({@code clpool.gpu.gather=element}) bit for bit, since both sum
 * each element's windows in the reference's order. Awkward shapes (1, 7, 93 wide, blocks cut by
 * the input's last rows and columns), stride 1 (masked borders) and strided windows (skipped
 * candidates), padding, dilation, ceil mode, count_include_pad either way and divisor overrides,
 * NaN, infinities, ties and all-negative inputs next to padding, in float32 and the half types.
 */
class BlockGatherTest extends GpuFamilyTest {
    @TestFactory
    Stream<DynamicTest> blockGathersMatchTheReferenceAndThePerElementGathers() {
        Shape[] shapes = {Shape.of(1, 2, 5, 1), Shape.of(2, 1, 7, 7), Shape.of(1, 1, 4, 93), Shape.of(1, 3, 11, 15),
            Shape.of(1, 1, 19, 6)};
        PoolSpec[] specs = {PoolSpec.of(2), PoolSpec.of(3).withStride(4), PoolSpec.of(3).withStride(1).withPadding(1), PoolSpec.of(3).withStride(2).withPadding(1),
            PoolSpec.of(2).withStride(1), PoolSpec.of(3, 2).withStride(2, 1), PoolSpec.of(4).withStride(3).withPadding(2).withCeilMode(true),
            PoolSpec.of(3).withStride(1).withDilation(2), PoolSpec.of(5).withStride(2).withPadding(2).withCeilMode(true)};
        List<DynamicTest> tests = new ArrayList<>();
        ReferencePooling reference = new ReferencePooling();
        long seed = 7000;
        for (PoolSpec spec : specs) {
            for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16)) {
                for (Shape shape : shapes) {
                    if (!RandomizedDifferentialTest.fits(spec, shape)) {
                        continue;
                    }
                    for (String op : List.of("max", "min", "avg", "lp")) {
                        if (!op.equals("lp") && spec.windowsDisjoint()) {
                            continue; // a map over the windows, not a gather
                        }
                        long s = ++seed;
                        Inputs flavour = Inputs.values()[(int) (s % Inputs.values().length)];
                        Tensor x = flavour.tensor(shape, s).toType(dtype);
                        PoolOp pool = Differential.op(op, x, spec, s);
                        assertTrue(DirectKernels.blockKernel(pool.spec(), DirectKernels.gpuRowsPerItem(pool.spec())),
                                "the block gathers should exist for " + pool.spec());
                        tests.add(dynamicTest("block gather " + op + " " + dtype.label() + " " + flavour + " " + shape + " " + spec,
                                () -> check(op, pool, x, spec, s, reference)));
                    }
                }
            }
        }
        assertTrue(tests.size() > 300, "the block-gather cases should number over three hundred, got " + tests.size());
        return tests.stream();
    }

    /**
     * The block gathers 1 and 4 input columns wide ({@code clpool.gpu.gatherColumns}, a benchmark
     * setting; 2, the default, above), in float32: against the reference and, bit for bit, the
     * per-element gathers. Only cases whose block takes the width (its candidate windows fit).
     */
    @TestFactory
    Stream<DynamicTest> blockGathersOfOtherWidthsMatchThePerElementGathers() {
        Shape[] shapes = {Shape.of(2, 1, 7, 7), Shape.of(1, 1, 4, 93), Shape.of(1, 3, 11, 15)};
        PoolSpec[] specs = {PoolSpec.of(3).withStride(1).withPadding(1), PoolSpec.of(3).withStride(2).withPadding(1),
            PoolSpec.of(3, 2).withStride(2, 1), PoolSpec.of(3).withStride(1).withDilation(2)};
        List<DynamicTest> tests = new ArrayList<>();
        ReferencePooling reference = new ReferencePooling();
        long seed = 9000;
        for (String columns : List.of("1", "4")) {
            for (PoolSpec spec : specs) {
                if (DirectKernels.gatherColumns(spec, DirectKernels.gpuRowsPerItem(spec), Integer.parseInt(columns)) != Integer.parseInt(columns)) {
                    continue; // the block would not fit: the default width runs
                }
                for (Shape shape : shapes) {
                    if (!RandomizedDifferentialTest.fits(spec, shape)) {
                        continue;
                    }
                    for (String op : List.of("max", "avg", "lp")) {
                        long s = ++seed;
                        Inputs flavour = Inputs.values()[(int) (s % Inputs.values().length)];
                        Tensor x = flavour.tensor(shape, s);
                        PoolOp pool = Differential.op(op, x, spec, s);
                        tests.add(dynamicTest("block gather " + columns + " columns " + op + " " + flavour + " " + shape + " " + spec, () -> {
                            try (SystemProperty width = SystemProperty.set(DirectKernels.GATHER_COLUMNS_PROPERTY, columns)) {
                                check(op, pool, x, spec, s, reference);
                            }
                        }));
                    }
                }
            }
        }
        assertTrue(tests.size() >= 60, "the other widths should have at least 60 cases, got " + tests.size());
        return tests.stream();
    }

    private void check(String op, PoolOp pool, Tensor x, PoolSpec spec, long seed, ReferencePooling reference) {
        assertTrue(!KernelFamilies.cpuFamily(context), "the GPU family should be forced");
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            Differential.check(device, reference, op, x, spec, seed);
        }
        Tensor input = op.equals("lp") ? Differential.abs(x) : x;
        PoolResult pooled = reference.forward(pool, input);
        Tensor dy = Differential.gradient(pooled.values().shape(), seed, x.dtype());
        Tensor blocks;
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            blocks = device.backward(pool, dy, input, pooled.values(), pooled.indices());
        }
        Tensor perElement;
        try (SystemProperty element = SystemProperty.set(DirectKernels.GATHER_PROPERTY, "element");
             OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            perElement = device.backward(pool, dy, input, pooled.values(), pooled.indices());
        }
        // Bit for bit; any NaN equals any NaN (a NaN's payload follows the compiler's operand order).
        Compare.bitEqual(perElement, blocks, pool + " gradient, block gather against the per-element gather");
    }

    @Test
    void gatherOtherThanBlockOrElementIsRefused() {
        try (SystemProperty bad = SystemProperty.set(DirectKernels.GATHER_PROPERTY, "tiles");
             OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            Tensor x = Inputs.values()[0].tensor(Shape.of(1, 1, 8, 8), 1);
            PoolOp avg = PoolOp.avg(PoolSpec.of(3).withStride(1).withPadding(1), new io.clpool.spec.AvgOptions(true, 0));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> device.forward(avg, x));
            assertTrue(e.getMessage().contains(DirectKernels.GATHER_PROPERTY) && e.getMessage().contains("'tiles'"), e.getMessage());
        }
        assertEquals(null, System.getProperty(DirectKernels.GATHER_PROPERTY));
    }

    @Test
    void gatherWidthOtherThanOneTwoOrFourIsRefused() {
        try (SystemProperty bad = SystemProperty.set(DirectKernels.GATHER_COLUMNS_PROPERTY, "3");
             OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            Tensor x = Inputs.values()[0].tensor(Shape.of(1, 1, 8, 8), 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> device.forward(PoolOp.max(PoolSpec.of(3).withStride(1)), x));
            assertTrue(e.getMessage().contains(DirectKernels.GATHER_COLUMNS_PROPERTY) && e.getMessage().contains("'3'"), e.getMessage());
        }
        // Where the block of the asked width would pass 64 candidate windows, the default width runs.
        PoolSpec dilated = PoolSpec.of(3).withStride(1).withDilation(2);
        assertEquals(2, DirectKernels.gatherColumns(dilated, 8, 4), "8 rows x 4 columns of a dilated 3x3: 12 x 8 windows");
        assertEquals(4, DirectKernels.gatherColumns(dilated, 4, 4), "4 rows x 4 columns of a dilated 3x3: 8 x 8 windows");
        assertEquals(4, DirectKernels.gatherColumns(PoolSpec.of(3).withStride(1), 8, 4), "8 rows x 4 columns of a 3x3: 10 x 6 windows");
    }
}
