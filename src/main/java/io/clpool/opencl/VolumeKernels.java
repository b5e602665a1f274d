package io.clpool.opencl;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.DType;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The general fixed-window kernels ({@code kernels/volume.cl}): 3-D windows, and 2-D windows on
 * tensors that are channels last or stored in a half type. Max, min, average and LP,
 * forward and backward, one work-item per output forward and a gather per input element
 * backward (on the CPU family channels last, disjoint windows: one work-item per window's cell,
 * writing each of its positions once), so every backward is deterministic. The window (kernel, stride, dilation), the
 * storage type and the layout are compile-time, one build per combination; shapes and padding
 * are arguments. Two families, as {@link KernelFamilies#cpuFamily} picks: the CPU family (POCL)
 * takes the vector kernels ({@code _w8}, {@code _c8}) where they apply, in the runtime's
 * work-groups; the GPU family takes the scalar kernels (one output, or one input element, per
 * work-item, coalesced along W channels first and along C channels last), or 4 rows down a column
 * channels first ({@code _rows}, {@link #gpuRows}) or 4 channels channels last ({@code _c4}, where C
 * is a multiple of 4), in explicit work-groups ({@link #gpuTile}), with 32-bit offsets where every element
 * count fits. The GPU choices are system properties read here, so that a GPU run can bench each.
 */
final class VolumeKernels implements FixedWindowKernels {
    private static final String FILE = "volume.cl";

    private final ClContext context;
    private final Launches launches;
    private final DType dtype;
    private final boolean gpu;

    VolumeKernels(Launches launches, DType dtype) {
        this.context = launches.context();
        this.launches = launches;
        this.dtype = dtype;
        this.gpu = !KernelFamilies.cpuFamily(context);
    }

    /**
     * System property for the GPU family's work-groups: {@code tile} (the default, {@link #gpuTile})
     * or {@code runtime} (the runtime's choice, as the CPU family), so that a GPU run can bench both.
     */
    static final String GPU_WORK_GROUPS_PROPERTY = "clpool.gpu.volumeWorkGroups";

    /**
     * System property for the GPU family's channels per work-item channels last: {@code 4} (the
     * default: the {@code _c4} kernels, LP's too, where C is a multiple of 4 and the type is not
     * float64) or {@code 1} (the scalar kernels). Measured on an H200 (2026-11-26, 2x2 max
     * NHWC, 32x64x112x112): float32 0.76 / 0.28 of copy forward / backward with 1, 0.91 / 0.85 with
     * 4; float16 0.50 / 0.19 against 0.74 / 0.59; bfloat16 0.49 / 0.18 against 0.74 / 0.51.
     */
    static final String GPU_CHANNELS_PER_ITEM_PROPERTY = "clpool.gpu.channelsPerItem";

    /** The GPU family's channels per work-item ({@value #GPU_CHANNELS_PER_ITEM_PROPERTY}); read here only. */
    private static int gpuChannelsPerItem() {
        String value = System.getProperty(GPU_CHANNELS_PER_ITEM_PROPERTY, "4").trim();
        return switch (value) {
            case "1" -> 1;
            case "4", "" -> GPU_LANES;
            default -> throw new IllegalArgumentException(GPU_CHANNELS_PER_ITEM_PROPERTY + " should be 1 or 4, but got '" + value + "'");
        };
    }

    /**
     * System property for the GPU family's forward and backward channels first (max, min, average;
     * LP stays scalar): {@code auto} (the default: {@value #GPU_ROWS} outputs, or input rows, down a
     * column per work-item where windows overlap down H, else one), {@code 1}, {@code 4} or
     * {@code 8} (that many, always), so that a GPU run can bench each.
     */
    static final String GPU_ROWS_PROPERTY = "clpool.gpu.volumeRows";
    /** The default outputs (or input rows) per work-item of volume.cl's {@code _rows} kernels. */
    private static final int GPU_ROWS = 4;
    private static final String ROWS_SUFFIX = "_rows";
    /** What the name of each of volume.cl's backward kernels holds. */
    private static final String BACKWARD = "_backward";

    /**
     * The rows per work-item of the {@code _rows} kernels of {@code spec} ({@value #GPU_ROWS_PROPERTY};
     * read here only), 1 where the scalar kernels run instead.
     */
    private static int gpuRowsPerItem(PoolSpec spec) {
        String value = System.getProperty(GPU_ROWS_PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        return switch (value) {
            case "auto", "" -> spec.strideH() < (long) spec.dilationH() * (spec.kernelH() - 1) + 1 ? GPU_ROWS : 1;
            case "1" -> 1;
            case "4" -> 4;
            case "8" -> 8;
            default -> throw new IllegalArgumentException(GPU_ROWS_PROPERTY + " should be auto, 1, 4 or 8, but got '" + value + "'");
        };
    }

    /**
     * Whether the GPU family's forward ({@code in} null) or backward of {@code spec} takes the
     * {@code _rows} kernels ({@link #gpuRowsPerItem} rows per work-item).
     */
    private static boolean gpuRows(PoolSpec spec, Shape in, Shape out) {
        int rows = gpuRowsPerItem(spec);
        // The rows past OH in the last block reach (OH - 1 + ROWS - 1)·SH + (KH - 1)·DH, the columns past OW
        // (OW - 1 + COLS_F - 1)·SW + (KW - 1)·DW: still ints (volume.cl).
        long reach = Math.max((long) (out.h() - 1 + rows - 1) * spec.strideH() + (long) (spec.kernelH() - 1) * spec.dilationH() + 1,
                (long) (out.w() - 1 + gpuForwardColumns(spec) - 1) * spec.strideW() + (long) (spec.kernelW() - 1) * spec.dilationW() + 1);
        if (in != null) { // backward: rows past H reach H - 1 + ROWS - 1 + PH, and in-plane offsets (D·H + ROWS)·W + COLS_V (volume.cl)
            reach = Math.max(in.h() + rows + (long) spec.padH(), ((long) in.d() * in.h() + rows) * in.w() + gpuColumnsPerItem());
        }
        return rows > 1 && reach <= Integer.MAX_VALUE;
    }

    /**
     * System property for the GPU family's input columns per work-item of the channels-first
     * {@code _rows} backward kernels (volume.cl's COLS_V): {@code 1} (the default) or {@code 2} or
     * {@code 4}, so that a GPU run can bench the blocks. Not yet timed on a GPU: with 4 columns a
     * 3×3×3 stride 1 work-item of 4 rows reads 108 candidate windows for 16 elements where one
     * column reads 54 for 4 (each an average's division).
     */
    static final String GPU_COLUMNS_PROPERTY = "clpool.gpu.volumeColumns";

    /** The GPU family's columns per backward {@code _rows} work-item ({@value #GPU_COLUMNS_PROPERTY}); read here only. */
    private static int gpuColumnsPerItem() {
        Integer columns = GpuLaunchShape.columns(GPU_COLUMNS_PROPERTY);
        return columns == null ? 1 : columns;
    }

    /**
     * System property for the GPU family's output columns per work-item of the channels-first
     * {@code _rows} forward kernels (volume.cl's COLS_F): {@code 1} (the default), {@code 2} or
     * {@code 4}, so that a GPU run can bench the blocks. Not yet timed on a GPU: with 4 columns a
     * 3×3×3 stride 1 work-item of 4 rows loads 108 inputs for 16 outputs where one column loads 54
     * for 4.
     */
    static final String GPU_FORWARD_COLUMNS_PROPERTY = "clpool.gpu.volumeForwardColumns";

    /** The most inputs of a span row a forward {@code _rows} work-item holds in registers (volume.cl's SPAN_COLUMNS). */
    static final int FORWARD_SPAN_COLUMNS_MAX = 16;

    /**
     * The GPU family's columns per forward {@code _rows} work-item of {@code spec}
     * ({@value #GPU_FORWARD_COLUMNS_PROPERTY}; read here only): the value asked for where its span
     * row, (COLS_F − 1)·SW + (KW − 1)·DW + 1 inputs, is at most {@value #FORWARD_SPAN_COLUMNS_MAX}, else 1.
     */
    static int gpuForwardColumns(PoolSpec spec) {
        Integer asked = GpuLaunchShape.columns(GPU_FORWARD_COLUMNS_PROPERTY);
        int columns = asked == null ? 1 : asked;
        long span = (long) (columns - 1) * spec.strideW() + (long) (spec.kernelW() - 1) * spec.dilationW() + 1;
        return span <= FORWARD_SPAN_COLUMNS_MAX ? columns : 1;
    }

    /** Whether the GPU family launches in explicit work-groups ({@value #GPU_WORK_GROUPS_PROPERTY}); read here only. */
    private static boolean gpuTiles() {
        String value = System.getProperty(GPU_WORK_GROUPS_PROPERTY, "tile").trim().toLowerCase(java.util.Locale.ROOT);
        return switch (value) {
            case "tile", "" -> true;
            case "runtime" -> false;
            default -> throw new IllegalArgumentException(GPU_WORK_GROUPS_PROPERTY + " should be tile or runtime, but got '" + value + "'");
        };
    }

    @Override
    public void extremumForward(Object input, Shape in, Shape out, PoolSpec spec, boolean min, Object values, Object indices) {
        run(program(spec, KernelSource.OpKernels.EXTREMUM, min, in, out).kernel(forwardName("volume_extremum_forward", in, out, spec)), out, in, out, spec,
                new Object[] {input, values, indices});
    }

    @Override
    public void indexedBackward(Object gradOutput, Object indices, Shape in, Shape out, PoolSpec spec, Object gradInput) {
        run(program(spec, KernelSource.OpKernels.EXTREMUM, false, in, out).kernel(backwardName("volume_indexed_backward", in, out, spec)), in, in, out, spec,
                new Object[] {gradOutput, indices, gradInput});
    }

    @Override
    public void avgForward(Object input, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object output) {
        run(program(spec, KernelSource.OpKernels.AVERAGE, false, in, out).kernel(forwardName("volume_avg_forward", in, out, spec)), out, in, out, spec,
                new Object[] {input, output},
                options.countIncludePad() ? 1 : 0, options.divisorOverride());
    }

    @Override
    public void avgBackward(Object gradOutput, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object gradInput) {
        run(program(spec, KernelSource.OpKernels.AVERAGE, false, in, out).kernel(backwardName("volume_avg_backward", in, out, spec)), in, in, out, spec,
                new Object[] {gradOutput, gradInput}, options.countIncludePad() ? 1 : 0, options.divisorOverride());
    }

    @Override
    public void lpForward(Object input, Shape in, Shape out, PoolSpec spec, float norm, Object output) {
        lpForward(input, in, out, spec, (double) norm, output);
    }

    /** The norm in the compute type: double for float64 (PyTorch's double norm), else float. */
    @Override
    public void lpForward(Object input, Shape in, Shape out, PoolSpec spec, double norm, Object output) {
        // LP has no _rows kernels: the GPU family takes the scalar or _c4 ones, the CPU family forwardName's.
        String kernel = gpu ? vectorName("volume_lp_forward", in) : forwardName("volume_lp_forward", in, out, spec);
        run(program(spec, KernelSource.OpKernels.LP, false, in, out).kernel(kernel), out, in, out, spec,
                new Object[] {input, output}, computeNorm(norm));
    }

    private Object computeNorm(double norm) {
        return dtype == DType.FLOAT64 ? (Object) norm : (Object) (float) norm;
    }

    @Override
    public void lpBackward(Object gradOutput, Object input, Object output, Shape in, Shape out, PoolSpec spec, float norm,
                           Object gradInput) {
        lpBackward(gradOutput, input, output, in, out, spec, (double) norm, gradInput);
    }

    @Override
    public void lpBackward(Object gradOutput, Object input, Object output, Shape in, Shape out, PoolSpec spec, double norm,
                           Object gradInput) {
        // LP has no _rows and no scalar cell kernels: the 8-lane row kernels where they apply, else vectorName's.
        String kernel = cpuRowKernels(in) && spec.windowsDisjoint() && cellRowsW8(in, spec) ? "volume_lp_backward" + CELL_ROWS_SUFFIX
                : cpuRowKernels(in) && rowGatherW8(in, spec) ? "volume_lp_backward" + ROW_SUFFIX
                : vectorName("volume_lp_backward", in);
        run(program(spec, KernelSource.OpKernels.LP, false, in, out).kernel(kernel), in, in, out, spec,
                new Object[] {gradOutput, input, output, gradInput}, computeNorm(norm));
    }

    /**
     * One work-item per element of {@code items} (the output forward, the input backward) in
     * volume.cl's 3-D range: (W, H, planes·D) channels first, (C, W, N·D·H) channels last; the CPU
     * family's vector kernels take 8 per work-item, its cell kernels 8 channels of a window's cell
     * ({@link #cells} along each axis). The CPU family launches exactly that range in
     * the runtime's work-groups; the GPU family rounds dimensions 0 and 1 up to whole
     * {@link #gpuTile}s (the kernels return past the true extent), unless the tile would hold
     * fewer work-items than a warp. Arguments: the buffers,
     * VOLUME_SHAPES, then the op's own.
     */
    private void run(ClKernel kernel, Shape items, Shape in, Shape out, PoolSpec spec, Object[] buffers, Object... tail) {
        Object[] shapes = {in.c(), in.d(), in.h(), in.w(), out.d(), out.h(), out.w(), spec.padD(), spec.padH(), spec.padW()};
        Object[] args = Arrays.copyOf(buffers, buffers.length + shapes.length + tail.length, Object[].class);
        System.arraycopy(shapes, 0, args, buffers.length, shapes.length);
        System.arraycopy(tail, 0, args, buffers.length + shapes.length, tail.length);
        long[] range = kernel.name().endsWith(CELLS_SUFFIX) ? new long[] {items.c() / LANES,
                        cells(items.w(), spec.padW(), spec.strideW()),
                        (long) items.n() * cells(items.d(), spec.padD(), spec.strideD()) * cells(items.h(), spec.padH(), spec.strideH())}
                : kernel.name().endsWith(CELL_ROWS_SUFFIX) ? new long[] {ceilDiv(cells(items.w(), spec.padW(), spec.strideW()), LANES),
                        cells(items.h(), spec.padH(), spec.strideH()), items.planes() * cells(items.d(), spec.padD(), spec.strideD())}
                : kernel.name().endsWith(CHANNELS_FIRST_CELLS_SUFFIX) ? new long[] {cells(items.w(), spec.padW(), spec.strideW()),
                        cells(items.h(), spec.padH(), spec.strideH()), items.planes() * cells(items.d(), spec.padD(), spec.strideD())}
                : kernel.name().endsWith(ROWS_SUFFIX) ? new long[] {ceilDiv(items.w(), kernel.name().contains(BACKWARD) ? gpuColumnsPerItem() : gpuForwardColumns(spec)),
                        ceilDiv(items.h(), gpuRowsPerItem(spec)), items.planes() * items.d()}
                : kernel.name().endsWith(ROW_SUFFIX) ? new long[] {(items.w() + LANES - 1) / LANES, items.h(), items.planes() * items.d()}
                : !items.isChannelsLast() ? new long[] {items.w(), items.h(), items.planes() * items.d()}
                : new long[] {items.c() / lanesOf(kernel), items.w(), (long) items.n() * items.d() * items.h()};
        long[] tile = gpu && gpuTiles() ? gpuTile(kernel, range[0], range[1]) : null;
        if (tile != null && tile[0] * tile[1] >= Math.max(1, kernel.preferredWorkGroupMultiple())) {
            range[0] = ceilToMultiple(range[0], tile[0]);
            range[1] = ceilToMultiple(range[1], tile[1]);
            launches.run(kernel, range, tile, args);
        } else {
            // CPU family: the runtime's work-groups, 2-4x faster on POCL than 8x32 tiles. GPU family where
            // columns × rows is under a warp (a group would idle most lanes; dimension 2 is not rounded).
            launches.run(kernel, range, null, args);
        }
    }

    /**
     * The GPU family's work-group over (columns, rows) of extents {@code columns} × {@code rows}:
     * one preferred work-group multiple (the warp: 32 on NVIDIA) wide, as direct.cl's GPU family
     * ({@link GpuLaunchShape#of}'s tiles), halved while half still covers {@code columns} (channels last
     * with C = 3: 4 wide, so a warp reads 8 whole positions, not 3 channels and 29 idle lanes), by
     * as many rows as make {@value GpuLaunchShape#GROUP_ITEMS} work-items, no more than the power of two that covers {@code rows},
     * within the kernel's limit.
     */
    static long[] gpuTile(ClKernel kernel, long columns, long rows) {
        long limit = Math.max(1, kernel.maxWorkGroupSize());
        long width = Math.max(1, Math.min(kernel.preferredWorkGroupMultiple(), limit));
        while (width > 1 && width / 2 >= columns) {
            width /= 2;
        }
        long height = Math.max(1, Math.min(limit, GpuLaunchShape.GROUP_ITEMS) / width);
        while (height > 1 && height / 2 >= rows) {
            height /= 2;
        }
        return new long[] {width, height, 1};
    }

    private static long ceilToMultiple(long value, long multiple) {
        return ceilDiv(value, multiple) * multiple;
    }

    private static long ceilDiv(long value, long divisor) {
        return (value + divisor - 1) / divisor;
    }

    /** volume.cl's channels-last kernels that take 8 channels per work-item: {@code <name>_c8}. */
    private static final String VECTOR_SUFFIX = "_c8";
    private static final int LANES = 8;
    /** The GPU family's channels-last kernels that take 4 channels per work-item: {@code <name>_c4}. */
    private static final String GPU_VECTOR_SUFFIX = "_c4";
    private static final int GPU_LANES = 4;

    /** The channels a channels-last kernel takes per work-item. */
    private static int lanesOf(ClKernel kernel) {
        return kernel.name().endsWith(VECTOR_SUFFIX) ? LANES : kernel.name().endsWith(GPU_VECTOR_SUFFIX) ? GPU_LANES : 1;
    }

    /**
     * Channels last with C a multiple of 8: the 8-lane kernels, whose every tap is one vector load
     * along C. Not float64: volume.cl builds the 8-lane kernels for the float compute type only.
     */
    private boolean vectorized(Shape in) {
        return vectorized(in, dtype, gpu);
    }

    /** {@link #vectorized(Shape)} for {@code dtype} on the GPU family ({@code gpu}) or the CPU family. */
    private static boolean vectorized(Shape in, DType dtype, boolean gpu) {
        return in.isChannelsLast() && in.c() % lanes(gpu) == 0 && dtype != DType.FLOAT64;
    }

    /** Channels per work-item of the channels-last vector kernels: 8 on the CPU family, 1 or 4 on the GPU family. */
    private int lanes() {
        return lanes(gpu);
    }

    /** {@link #lanes()} of the GPU family ({@code gpu}) or the CPU family. */
    private static int lanes(boolean gpu) {
        return gpu ? gpuChannelsPerItem() : LANES;
    }

    /**
     * The backward kernel: {@link #gpuRowsPerItem} input rows per work-item channels first where
     * {@link #gpuRows} says; with disjoint windows one work-item per window's cell writing all its
     * positions: channels first on both families ({@code _windows}; on the CPU family 8 cells of a
     * row per work-item, {@code _windows_w8}, where they exist), channels last on the CPU family 8
     * channels per work-item ({@code _windows_c8}); else the gather: on the CPU family channels
     * first 8 elements of a row per work-item ({@code _w8}) where {@link #rowGatherW8} says, else
     * {@link #vectorName}.
     */
    private String backwardName(String kernel, Shape in, Shape out, PoolSpec spec) {
        if (gpu && !in.isChannelsLast() && gpuRows(spec, in, out)) {
            return kernel + ROWS_SUFFIX;
        }
        if (!in.isChannelsLast() && spec.windowsDisjoint()) {
            return cpuRowKernels(in) && cellRowsW8(in, spec) ? kernel + CELL_ROWS_SUFFIX : kernel + CHANNELS_FIRST_CELLS_SUFFIX;
        }
        if (cpuRowKernels(in) && rowGatherW8(in, spec)) {
            return kernel + ROW_SUFFIX;
        }
        return !gpu && vectorized(in) && spec.windowsDisjoint() ? kernel + CELLS_SUFFIX : vectorName(kernel, in);
    }

    /**
     * Whether the CPU family's channels-first 8-lane kernels ({@code _w8}, {@code _windows_w8}) can
     * take {@code in}: channels first, on the CPU family, in a type they compute (float, not float64).
     */
    private boolean cpuRowKernels(Shape in) {
        return !gpu && !in.isChannelsLast() && dtype != DType.FLOAT64;
    }

    /**
     * Whether volume.cl's backward {@code _w8} gathers (the CPU family's channels first, 8 elements
     * of an input row per work-item) exist for {@code spec}, overlapping windows with a stride of at
     * most 8 along W (volume.cl's {@code SW <= 8}), and keep every column of {@code in} they form in
     * an int: W + 8.
     */
    private static boolean rowGatherW8(Shape in, PoolSpec spec) {
        return !spec.windowsDisjoint() && spec.strideW() <= 8 && (long) in.w() + 8 <= Integer.MAX_VALUE;
    }

    /** volume.cl's channels-last backward kernels over disjoint windows' cells, 8 channels per work-item. */
    private static final String CELLS_SUFFIX = "_windows_c8";
    /**
     * Whether volume.cl's {@code _windows_w8} kernels (the CPU family's channels-first cells, 8 of
     * a cell row per work-item) exist for {@code spec} (8·SW at most 64) and keep every column of
     * {@code in} they form in an int: (cells along W + 8)·SW.
     */
    private static boolean cellRowsW8(Shape in, PoolSpec spec) {
        return 8L * spec.strideW() <= 64 && (cells(in.w(), spec.padW(), spec.strideW()) + 8) * spec.strideW() <= Integer.MAX_VALUE;
    }

    /** volume.cl's CPU-family channels-first backward kernels over disjoint windows' cells, 8 of a cell row per work-item. */
    private static final String CELL_ROWS_SUFFIX = "_windows_w8";
    /** volume.cl's channels-first backward kernels over disjoint windows' cells, one cell per work-item (both families). */
    private static final String CHANNELS_FIRST_CELLS_SUFFIX = "_windows";

    /** Cells along one axis (volume.cl's CELLS): the window starts every {@code stride} from −pad that reach the input. */
    private static long cells(long size, int pad, int stride) {
        return (size - 1 + pad) / stride + 1;
    }

    private String vectorName(String kernel, Shape in) {
        return !vectorized(in) || lanes() == 1 ? kernel : kernel + (gpu ? GPU_VECTOR_SUFFIX : VECTOR_SUFFIX);
    }

    /** volume.cl's channels-first CPU-family kernels over 8 outputs (forward) or 8 input elements (backward) of a row per work-item. */
    private static final String ROW_SUFFIX = "_w8";

    /**
     * The forward kernel: 8 channels per work-item channels last (C a multiple of 8); 8 outputs of a
     * row per work-item channels first when the row span fits (direct.cl's segment rule, the one
     * place for it) and the lanes past the row's end keep every column in an int; else, and always
     * on the GPU family (8 lanes 64 bytes apart do not coalesce), the scalar one, or, channels first
     * where {@link #gpuRows} says, {@link #gpuRowsPerItem} outputs down a column per work-item.
     */
    private String forwardName(String kernel, Shape in, Shape out, PoolSpec spec) {
        if (gpu && !in.isChannelsLast() && gpuRows(spec, null, out)) {
            return kernel + ROWS_SUFFIX;
        }
        if (!cpuRowKernels(in)) {
            return vectorName(kernel, in);
        }
        long lastLaneReach = (long) (out.w() + LANES - 1) * spec.strideW() + (long) spec.dilationW() * (spec.kernelW() - 1) + 1;
        return KernelSource.directSegmentKernels(spec) && lastLaneReach <= Integer.MAX_VALUE ? kernel + ROW_SUFFIX : kernel;
    }

    /** The build of {@code ops}' kernels for window {@code spec}; {@code min} picks min over max (extremum forward only). */
    private ClProgram program(PoolSpec spec, KernelSource.OpKernels ops, boolean min, Shape in, Shape out) {
        return context.program(FILE, KernelSource.options(defines(spec, ops, min, dtype, gpu, in, out)));
    }

    /**
     * The defines of the volume.cl build of {@code ops}' kernels for window {@code spec} between
     * {@code in} and {@code out}, stored as {@code dtype}, of the GPU family ({@code gpu}) or the
     * CPU family, under this JVM's settings: the one place that maps a plan to its build.
     */
    static Map<String, Object> defines(PoolSpec spec, KernelSource.OpKernels ops, boolean min, DType dtype, boolean gpu,
                                       Shape in, Shape out) {
        Map<String, Object> defines = new TreeMap<>(KernelSource.formatDefines(dtype, in.layout()));
        defines.put(KernelSource.OpKernels.DEFINE, ops.define());
        defines.put("KD", spec.kernelD());
        defines.put("KH", spec.kernelH());
        defines.put("KW", spec.kernelW());
        defines.put("SD", spec.strideD());
        defines.put("SH", spec.strideH());
        defines.put("SW", spec.strideW());
        defines.put("DD", spec.dilationD());
        defines.put("DH", spec.dilationH());
        defines.put("DW", spec.dilationW());
        defines.put("POOL_MIN", min ? 1 : 0);
        if (gpu) { // the CPU family's build stays exactly as it was
            defines.put("GPU_FAMILY", 1);
            // 32-bit offsets when every offset a launch forms (below its tensors' element counts) fits an int.
            defines.put("OFFSETS_32", Math.max(in.elementCount(), out.elementCount()) <= Integer.MAX_VALUE ? 1 : 0);
            defines.put("ROWS", gpuRowsPerItem(spec)); // the _rows kernels' rows (the others ignore it)
            defines.put("COLS_V", gpuColumnsPerItem()); // the _rows backward kernels' columns
            defines.put("COLS_F", gpuForwardColumns(spec)); // the _rows forward kernels' columns
            if (vectorized(in, dtype, gpu) && lanes(gpu) == GPU_LANES) { // the _c4 kernels: built only when asked for
                defines.put("CHANNEL_LANES", GPU_LANES);
            }
        }
        return defines;
    }
}
