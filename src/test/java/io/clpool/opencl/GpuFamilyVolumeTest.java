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
import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import io.clpool.support.SystemProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The GPU family of {@code volume.cl} (scalar kernels in explicit work-groups, 32-bit offsets),
 * forced with {@code clpool.kernels=gpu} so that CI checks it on POCL: max, min, average (count_include_pad
 * off, divisor_override) and LP, forward and backward, on 3-D channels first and last and 2-D
 * channels last, in float32, float16, bfloat16 and float64 (where the device has cl_khr_fp64), with
 * C of 1, 3, 8, 16 and 93 and extents (W 37, H 9, C 93) that leave partial work-groups for any
 * power-of-two group (and, channels first, an H of 10 that leaves a partial block of 4 rows), and
 * 2-D channels first in float64, on every input flavour (NaN, ±inf, ties): {@link Differential#check}
 * (selections bit for bit, sums within the reference's tolerance). Then every output buffer of a
 * plan, guarded by a band of sentinels after the tensor, must keep its band. The channels-last
 * cases run once more with {@code clpool.gpu.channelsPerItem=4} (the {@code _c4} kernels), and a
 * third of the cases with {@code clpool.gpu.volumeWorkGroups=runtime}.
 */
class GpuFamilyVolumeTest extends GpuFamilyTest {
    private static final int[] CHANNELS = {1, 3, 8, 16, 93};
    private static final PoolSpec[] WINDOWS_3D = {PoolSpec.of3d(2), PoolSpec.of3d(3).withStride(1).withPadding(1),
        PoolSpec.of3d(2, 3, 1).withStride(1, 2, 3).withPadding(1, 1, 0).withCeilMode(true),
        PoolSpec.of3d(3, 2, 3).withStride(2, 1, 2).withPadding(1, 1, 1).withDilation(2, 1, 3),
        // disjoint, with gaps between the windows (and a dilated depth), padding and ceil mode: the cell kernels' awkward cells
        PoolSpec.of3d(2, 2, 3).withStride(3, 2, 4).withPadding(1, 0, 1).withDilation(2, 1, 1).withCeilMode(true)};
    private static final PoolSpec[] WINDOWS_2D = {PoolSpec.of(2), PoolSpec.of(3).withStride(1).withPadding(1),
        PoolSpec.of(3, 2).withStride(2, 1).withPadding(1, 0).withDilation(1, 2), PoolSpec.of(5).withStride(3).withPadding(2).withCeilMode(true),
        PoolSpec.of(2, 3).withStride(3, 4).withPadding(1, 1).withCeilMode(true)};

    record Case(Shape shape, PoolSpec window, DType dtype, Inputs flavour, long seed) {
        Tensor input() {
            Tensor raw = flavour.tensor(shape, seed);
            return dtype == DType.FLOAT64 ? Differential.beyondFloat(raw, seed) : raw.toType(dtype);
        }

        /** The ops of the case: max, min, average and LP. */
        List<String> ops() {
            return List.of("max", "min", "avg", "lp");
        }

        /**
         * The ops of the channels-first row and column variants: LP on 2-D windows only. The
         * variants' settings reach max, min and average only (LP has no {@code _rows} kernels), and
         * each case here is a new build, so 3-D LP runs in the other sweeps.
         */
        List<String> rowAndColumnVariantOps() {
            return window.volumetric() ? List.of("max", "min", "avg") : ops();
        }

        @Override
        public String toString() {
            return dtype.label() + " " + shape + " " + window + " " + flavour + " seed=" + seed;
        }
    }

    /**
     * For each type, three kinds of tensor (3-D channels first, 3-D channels last, 2-D channels
     * last) at each C, the windows and flavours taking turns; seeds vary the average's options
     * (Differential.op: count_include_pad off for odd seeds, a divisor of 3 for multiples of 5).
     */
    private List<Case> cases() {
        List<DType> types = new ArrayList<>(List.of(DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16));
        if (Devices.listsExtension(context.device().extensions(), "cl_khr_fp64")) {
            types.add(DType.FLOAT64);
        }
        List<Case> cases = new ArrayList<>();
        int i = 0;
        for (DType dtype : types) {
            // 2-D channels first runs volume.cl in float64 only (direct.cl takes the float types).
            for (int kind = 0; kind < (dtype == DType.FLOAT64 ? 4 : 3); kind++) {
                for (int c : CHANNELS) {
                    i++;
                    Shape shape = switch (kind) {
                        case 0 -> Shape.of(2, c, 3 + i % 3, 9 + i % 2, 37);
                        case 1 -> Shape.of(2, c, 3 + i % 3, 9, 11).withLayout(Layout.CHANNELS_LAST);
                        case 2 -> Shape.of(2, c, 9 + i % 4, 37).withLayout(Layout.CHANNELS_LAST);
                        default -> Shape.of(2, c, 9 + i % 4, 37);
                    };
                    PoolSpec window = kind < 2 ? WINDOWS_3D[i % WINDOWS_3D.length] : WINDOWS_2D[i % WINDOWS_2D.length];
                    cases.add(new Case(shape, window, dtype, Inputs.values()[i % Inputs.values().length], i));
                }
            }
        }
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyVolumeOpMatchesTheReference() {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 45, "every type, kind of tensor and C should have a case, got " + cases.size());
        ReferencePooling reference = new ReferencePooling();
        return cases.stream().flatMap(c -> c.ops().stream().map(op -> dynamicTest("gpu family " + op + " " + c, () -> {
            assertTrue(!KernelFamilies.cpuFamily(context), "the GPU family should be forced");
            try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                Differential.check(device, reference, op, c.input(), c.window(), c.seed());
            }
        })));
    }

    /**
     * The channels-last cases again with four channels per work-item asked for explicitly ({@code _c4}
     * where C is a multiple of 4, else the scalar kernels; the default too) and with one (the scalar
     * kernels for every C): values and guard bands.
     */
    @TestFactory
    Stream<DynamicTest> fourChannelsPerItemMatchTheReferenceAndKeepTheGuardBands() {
        List<Case> cases = cases().stream().filter(c -> c.shape().isChannelsLast()).toList();
        assertTrue(cases.stream().filter(c -> c.shape().c() % 4 == 0).count() >= 12, "C = 8 and 16 should take the 4-lane kernels");
        return Stream.concat(withProperty(VolumeKernels.GPU_CHANNELS_PER_ITEM_PROPERTY, "4", cases, "4 channels per item"),
                withProperty(VolumeKernels.GPU_CHANNELS_PER_ITEM_PROPERTY, "1",
                        cases.stream().filter(c -> c.shape().c() % 4 == 0).toList(), "1 channel per item"));
    }

    /**
     * The channels-first cases with {@code clpool.gpu.volumeRows} forced to 4 (the {@code _rows}
     * forward kernels on every window, disjoint and dilated ones too), to 8 (half of them: the
     * variant a GPU run may bench) and to 1 (the scalar ones on overlapping windows, which the
     * default gives the {@code _rows} kernels).
     */
    @TestFactory
    Stream<DynamicTest> rowsPerItemMatchTheReferenceAndKeepTheGuardBands() {
        List<Case> cases = cases().stream().filter(c -> !c.shape().isChannelsLast()).toList();
        return Stream.of(withProperty(VolumeKernels.GPU_ROWS_PROPERTY, "4", cases, "4 rows per item", Case::rowAndColumnVariantOps),
                withProperty(VolumeKernels.GPU_ROWS_PROPERTY, "8", cases.stream().filter(c -> c.seed() % 2 == 0).toList(), "8 rows per item",
                        Case::rowAndColumnVariantOps),
                withProperty(VolumeKernels.GPU_ROWS_PROPERTY, "1", cases.stream().filter(c -> c.seed() % 2 == 1).toList(), "1 row per item",
                        Case::rowAndColumnVariantOps))
                .flatMap(s -> s);
    }

    /**
     * Half the channels-first cases with {@code clpool.gpu.volumeColumns} 4 and a quarter with 2
     * (every window and type still among them; each case is a new build, which is what these cost):
     * the {@code _rows} backward kernels over blocks of columns, each gradient bit for bit the
     * one-column kernels' (every element adds the same windows in the same order), and with 4 the
     * guard bands after every output.
     */
    @TestFactory
    Stream<DynamicTest> columnsPerItemMatchOneColumnBitForBitAndKeepTheGuardBands() {
        List<Case> cases = cases().stream().filter(c -> !c.shape().isChannelsLast()).toList();
        List<Case> four = cases.stream().filter(c -> c.seed() % 2 == 0).toList();
        List<Case> two = cases.stream().filter(c -> c.seed() % 4 == 1).toList();
        assertEveryWindowAndType(four);
        assertEveryWindowAndType(two);
        return Stream.concat(columnsAgainstOne("4", four), columnsAgainstOne("2", two));
    }

    private Stream<DynamicTest> columnsAgainstOne(String columns, List<Case> cases) {
        ReferencePooling reference = new ReferencePooling();
        return cases.stream().flatMap(c -> c.rowAndColumnVariantOps().stream().map(name -> dynamicTest(
                "gpu family, " + columns + " columns per item against 1, " + name + " " + c, () -> {
                    Tensor x = c.input();
                    Tensor input = name.equals("lp") ? Differential.abs(x) : x;
                    PoolOp op = Differential.op(name, x, c.window(), c.seed());
                    PoolResult pooled = reference.forward(op, input);
                    Tensor dy = Differential.gradient(pooled.values().shape(), c.seed(), x.dtype());
                    Tensor oneColumn;
                    try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                        oneColumn = device.backward(op, dy, input, pooled.values(), pooled.indices());
                    }
                    try (SystemProperty variant = SystemProperty.set(VolumeKernels.GPU_COLUMNS_PROPERTY, columns)) {
                        Tensor blocks;
                        try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                            blocks = device.backward(op, dy, input, pooled.values(), pooled.indices());
                        }
                        Compare.bitEqual(oneColumn, blocks, op + " gradient, " + columns + " columns per item against 1");
                        if (columns.equals("4")) {
                            guardedPassesOf(op, input, name + " " + c + ", " + columns + " columns per item");
                        }
                    }
                })));
    }

    /**
     * A quarter of the channels-first cases with {@code clpool.gpu.volumeForwardColumns} 4 and
     * another quarter with 2 (every 3-D window and type still among them), every window on the
     * {@code _rows} kernels ({@code clpool.gpu.volumeRows=4}): the forward over blocks of columns,
     * values and indices bit for bit the one-column kernels' (every output takes the same taps in
     * the same order), and with 4 the guard bands after every output.
     */
    @TestFactory
    Stream<DynamicTest> forwardColumnsPerItemMatchOneColumnBitForBitAndKeepTheGuardBands() {
        List<Case> cases = cases().stream().filter(c -> !c.shape().isChannelsLast()).toList();
        List<Case> four = cases.stream().filter(c -> c.seed() % 4 == 0).toList();
        List<Case> two = cases.stream().filter(c -> c.seed() % 4 == 2).toList();
        assertEveryWindowAndType(four);
        assertEveryWindowAndType(two);
        return Stream.concat(forwardColumnsAgainstOne("4", four), forwardColumnsAgainstOne("2", two));
    }

    private Stream<DynamicTest> forwardColumnsAgainstOne(String columns, List<Case> cases) {
        return cases.stream().flatMap(c -> c.rowAndColumnVariantOps().stream().map(name -> dynamicTest(
                "gpu family, " + columns + " forward columns per item against 1, " + name + " " + c, () -> {
                    Tensor x = c.input();
                    Tensor input = name.equals("lp") ? Differential.abs(x) : x;
                    PoolOp op = Differential.op(name, x, c.window(), c.seed());
                    try (SystemProperty rows = SystemProperty.set(VolumeKernels.GPU_ROWS_PROPERTY, "4")) {
                        PoolResult oneColumn;
                        try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                            oneColumn = device.forward(op, input);
                        }
                        try (SystemProperty variant = SystemProperty.set(VolumeKernels.GPU_FORWARD_COLUMNS_PROPERTY, columns)) {
                            PoolResult blocks;
                            try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                                blocks = device.forward(op, input);
                            }
                            String what = op + ", " + columns + " forward columns per item against 1";
                            Compare.bitEqual(oneColumn.values(), blocks.values(), what);
                            if (oneColumn.indices() != null) {
                                Compare.bitEqual(oneColumn.indices().data(), blocks.indices().data(), what + ", indices");
                            }
                            if (columns.equals("4")) {
                                guardedPassesOf(op, input, name + " " + c + ", " + columns + " forward columns per item");
                            }
                        }
                    }
                })));
    }

    /** A subset of the cases that still holds every 3-D window and at least three types. */
    private static void assertEveryWindowAndType(List<Case> some) {
        assertEquals(WINDOWS_3D.length, some.stream().filter(c -> c.window().volumetric()).map(Case::window).distinct().count(),
                "every 3-D window should be among the cases");
        assertTrue(some.stream().map(Case::dtype).distinct().count() >= 3, "the types should be among the cases");
    }

    @Test
    void columnsOtherThanOneTwoOrFourAreRefused() {
        assertRefusedBeforeAnyDeviceWork(VolumeKernels.GPU_COLUMNS_PROPERTY, "3");
    }

    @Test
    void forwardColumnsOtherThanOneTwoOrFourAreRefused() {
        assertRefusedBeforeAnyDeviceWork(VolumeKernels.GPU_FORWARD_COLUMNS_PROPERTY, "8");
    }

    /** A 3-D max forward with {@code property} set to {@code value} fails with a message naming both. */
    private void assertRefusedBeforeAnyDeviceWork(String property, String value) {
        try (SystemProperty bad = SystemProperty.set(property, value);
             OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            Tensor x = Inputs.values()[0].tensor(Shape.of(1, 1, 4, 6, 6), 1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> device.forward(PoolOp.max(PoolSpec.of3d(3).withStride(1)), x));
            assertTrue(e.getMessage().contains(property) && e.getMessage().contains("'" + value + "'"), e.getMessage());
        }
    }

    /** A third of the cases in the runtime's work-groups ({@code clpool.gpu.volumeWorkGroups=runtime}, the variant a GPU run may bench). */
    @TestFactory
    Stream<DynamicTest> runtimeWorkGroupsMatchTheReferenceAndKeepTheGuardBands() {
        return withProperty(VolumeKernels.GPU_WORK_GROUPS_PROPERTY, "runtime", cases().stream().filter(c -> c.seed() % 3 == 0).toList(),
                "runtime work-groups");
    }

    /** Each op of {@code cases} with {@code property} set to {@code value}: values against the reference, then guard bands. */
    private Stream<DynamicTest> withProperty(String property, String value, List<Case> cases, String what) {
        return withProperty(property, value, cases, what, Case::ops);
    }

    /** {@link #withProperty(String, String, List, String)} for the ops {@code ops} gives each case. */
    private Stream<DynamicTest> withProperty(String property, String value, List<Case> cases, String what,
                                             Function<Case, List<String>> ops) {
        ReferencePooling reference = new ReferencePooling();
        return cases.stream().flatMap(c -> ops.apply(c).stream().map(name -> dynamicTest("gpu family, " + what + ", " + name + " " + c, () -> {
            try (SystemProperty variant = SystemProperty.set(property, value);
                 OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                assertTrue(!KernelFamilies.cpuFamily(context), "the GPU family should be forced");
                Tensor x = c.input();
                Differential.check(device, reference, name, x, c.window(), c.seed());
                guardedPassesOf(Differential.op(name, x, c.window(), c.seed()), name.equals("lp") ? Differential.abs(x) : x, name + " " + c);
            }
        })));
    }


    /** Every op's forward and backward outputs through a plan, each with a guard band after the tensor that must stay as it was. */
    @TestFactory
    Stream<DynamicTest> noOutputIsWrittenPastItsEnd() {
        return cases().stream().filter(c -> c.seed() % 2 == 0).flatMap(c -> c.ops().stream().map(name -> dynamicTest(
                "gpu family guard bands " + name + " " + c, () -> {
                    Tensor x = c.input();
                    PoolOp op = Differential.op(name, x, c.window(), c.seed());
                    guardedPassesOf(op, name.equals("lp") ? Differential.abs(x) : x, name + " " + c);
                })));
    }

    private void guardedPassesOf(PoolOp op, Tensor x, String what) {
        assertTrue(!KernelFamilies.cpuFamily(context), "the GPU family should be forced");
        GuardBands.checkPasses(context, op, Algorithm.DIRECT, x, null, what);
    }
}
