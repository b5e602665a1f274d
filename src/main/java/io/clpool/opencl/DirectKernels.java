package io.clpool.opencl;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code DIRECT} algorithm ({@code kernels/direct.cl}): one pass, no column buffer, no scratch
 * memory. Forward reads each window from the input; backward gathers per input element over the
 * windows that can contain it, or, for max/min with disjoint windows, maps each output window's
 * stride band elementwise (no zero-fill pass).
 *
 * <p>Kernel size, stride and dilation are compiled in (one cached build per such geometry and
 * min/max flag); shapes and padding are arguments. Forward and the disjoint backward split each output row into an inner column range,
 * whose taps need no column check, and the edge columns; work-group sizes come from the kernel's
 * preferred work-group multiple and limits (see {@link #innerWidth}). Max/min, average and LP
 * on the GPU family instead run one launch per pass, shaped by {@link GpuLaunchShape}, in
 * blocks of {@link #forwardColumns} columns per work-item forward and {@link #bandColumns} windows per
 * work-item in the disjoint backward; windows that overlap down the columns take blocks of
 * {@link #rowsPerItem} rows per work-item on the CPU family, {@link #gpuRowsPerItem} on the GPU family.
 */
final class DirectKernels implements FixedWindowKernels {
    static final String FILE = "direct.cl";

    private final ClContext context;
    private final Launches launches;
    private final boolean segments;
    private final DType dtype;
    /** The device's local memory per work-group, which bounds the half-type plane scatters' ring ({@link #scatterPlanes}). */
    private final long localMemBytes;

    /**
     * {@code segments}: the CPU family (segment kernels where they exist) or the GPU family; which
     * one a device gets is decided in one place, {@link KernelFamilies#cpuFamily}. {@code dtype}:
     * how the tensors are stored (channels first; values are computed in float either way).
     */
    DirectKernels(Launches launches, boolean segments, DType dtype) {
        this.context = launches.context();
        this.launches = launches;
        this.segments = segments;
        this.dtype = dtype;
        this.localMemBytes = context.device().localMemBytes();
    }

    /** The build of {@code ops}' kernels for window {@code s}; {@code min} picks min over max (extremum forward only). */
    private ClProgram program(PoolSpec s, KernelSource.OpKernels ops, boolean min) {
        return context.program(FILE, KernelSource.options(defines(s, ops, min, dtype, segments)));
    }

    /**
     * The defines of the direct.cl build of {@code ops}' kernels for window {@code s}, stored as
     * {@code dtype}, of the CPU family ({@code segments}) or the GPU family, under this JVM's
     * settings: the one place that maps a plan to its build.
     */
    static Map<String, Object> defines(PoolSpec s, KernelSource.OpKernels ops, boolean min, DType dtype, boolean segments) {
        Map<String, Object> defines = new TreeMap<>(KernelSource.formatDefines(dtype, Layout.CHANNELS_FIRST));
        defines.put(KernelSource.OpKernels.DEFINE, ops.define());
        defines.put("KH", s.kernelH());
        defines.put("KW", s.kernelW());
        defines.put("SH", s.strideH());
        defines.put("SW", s.strideW());
        defines.put("DH", s.dilationH());
        defines.put("DW", s.dilationW());
        defines.put("POOL_MIN", min ? 1 : 0);
        defines.put("ROWS", rows(s, segments));
        defines.put("STRIPS", stripForward(s) ? 1 : 0);
        if (segments) {
            defines.put("SUM_ROWS", SUM_ROWS);
        } else {
            defines.put("COLS", forwardColumns(s)); // the CPU family's builds stay as they were
            defines.put("BAND_COLS", bandColumns());
            defines.put("COLS_G", gatherColumns(s, rows(s, segments)));
            defines.put("CPU_KERNELS", 0);
            defines.put("FLAT_BLOCKS", GpuLaunchShape.flatBlocks() ? 1 : 0);
            defines.put("FLAT_BANDS", GpuLaunchShape.flatBands() ? 1 : 0);
        }
        return defines;
    }

    // ---- forward -------------------------------------------------------------------------------

    @Override
    public void extremumForward(Object input, Shape in, Shape out, PoolSpec spec, boolean min, Object values,
                                Object indices) {
        ClProgram program = program(spec, KernelSource.OpKernels.EXTREMUM, min);
        if (forwardSegments(in, out, spec)) {
            int rows = rowsPerItem(spec);
            if (stripForward(spec)) {
                stream(program.kernel("extremum_forward_stream"), out,
                        input, values, indices, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW());
                return;
            }
            segments(program.kernel(rows > 1 ? "extremum_forward_rows" : "extremum_forward_segment"), rows,
                    forwardInnerColumns(in, out, spec), out,
                    new Object[] {input, values, indices, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW()}, new Object[0]);
            return;
        }
        if (!segments && columnKernel(spec, rows(spec))) {
            ClKernel column = program.kernel("extremum_forward_column");
            blocks(column, GpuLaunchShape.flatBlocks(), ceilDiv(out.w(), forwardColumns(spec)), ceilDiv(out.h(), rows(spec)), out.planes(),
                    input, values, indices, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW());
            return;
        }
        split(program.kernel("extremum_forward_inner"), null, program.kernel("extremum_forward_edge"),
                forwardInnerColumns(in, out, spec), out,
                new Object[] {input, values, indices, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW()}, new Object[0]);
    }

    @Override
    public void avgForward(Object input, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object output) {
        ClProgram program = program(spec, KernelSource.OpKernels.AVERAGE, false);
        if (!segments && columnKernel(spec, rows(spec))) {
            ClKernel column = program.kernel("avg_forward_column");
            blocks(column, GpuLaunchShape.flatBlocks(), ceilDiv(out.w(), forwardColumns(spec)), ceilDiv(out.h(), rows(spec)), out.planes(), input, output, in.h(), in.w(), out.h(), out.w(),
                    spec.padH(), spec.padW(), options.countIncludePad() ? 1 : 0, options.divisorOverride());
            return;
        }
        Object[] head = {input, output, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW()};
        Object[] tail = {options.countIncludePad() ? 1 : 0, options.divisorOverride()};
        if (forwardSegments(in, out, spec)) {
            segments(program.kernel("avg_forward_segment"), SUM_ROWS, forwardInnerColumns(in, out, spec), out, head, tail);
            return;
        }
        split(program.kernel("avg_forward_inner"), null, program.kernel("avg_forward_edge"), forwardInnerColumns(in, out, spec),
                out, head, tail);
    }

    @Override
    public void lpForward(Object input, Shape in, Shape out, PoolSpec spec, float norm, Object output) {
        ClProgram program = program(spec, KernelSource.OpKernels.LP, false);
        if (!segments && columnKernel(spec, rows(spec))) {
            blocks(program.kernel("lp_forward_column"), GpuLaunchShape.flatBlocks(), ceilDiv(out.w(), forwardColumns(spec)),
                    ceilDiv(out.h(), rows(spec)), out.planes(), input, output, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW(), norm);
            return;
        }
        Object[] head = {input, output, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW()};
        if (forwardSegments(in, out, spec)) {
            segments(program.kernel("lp_forward_segment"), SUM_ROWS, forwardInnerColumns(in, out, spec), out, head, new Object[] {norm});
            return;
        }
        split(program.kernel("lp_forward_inner"), null, program.kernel("lp_forward_edge"), forwardInnerColumns(in, out, spec),
                out, head, new Object[] {norm});
    }

    // ---- backward ------------------------------------------------------------------------------

    @Override
    public void indexedBackward(Object gradOutput, Object indices, Shape in, Shape out, PoolSpec spec,
                                Object gradInput) {
        ClProgram program = program(spec, KernelSource.OpKernels.EXTREMUM, false);
        if (segmentGather(spec) && scatterPlanes(spec, in, in.w())) {
            planeScatter(program.kernel("indexed_backward_scatter"), in, ring(spec, in.w()),
                    gradOutput, indices, gradInput, in.h(), in.w(), out.h(), out.w(), spec.padH());
            return;
        }
        if (segmentGather(spec) && spec.strideW() == 1) {
            int rows = rowsPerItem(spec);
            gatherSegments(program.kernel(rows > 1 ? "indexed_backward_gather_rows" : "indexed_backward_gather_segment"), in, rows,
                    gradOutput, indices, gradInput, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW());
            return;
        }
        if (segmentGather(spec) && spec.strideW() > 1) {
            gatherStrided(program.kernel("indexed_backward_gather_strided"), in, spec,
                    gradOutput, indices, gradInput, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW());
            return;
        }
        if (!spec.windowsDisjoint() && blockGather(spec)) {
            ClKernel block = program.kernel("indexed_backward_gather_block");
            blocks(block, GpuLaunchShape.flatBlocks(), ceilDiv(in.w(), gatherColumns(spec)), ceilDiv(in.h(), rows(spec)), in.planes(),
                    gradOutput, indices, gradInput, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW());
            return;
        }
        if (!spec.windowsDisjoint()) {
            gather(program.kernel("indexed_backward_gather"), in,
                    gradOutput, indices, gradInput, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW());
            return;
        }
        if (!segments) {
            ClKernel band = program.kernel("indexed_backward_band_window");
            blocks(band, GpuLaunchShape.flatBands(), ceilDiv(out.w(), bandColumns()), out.h(), out.planes(),
                    gradOutput, indices, gradInput, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW());
        } else {
            split(program.kernel("indexed_backward_band_inner"), KernelSource.directSegmentKernels(spec) ? program.kernel("indexed_backward_band_segment") : null,
                    program.kernel("indexed_backward_band_edge"),
                    bandInnerColumns(in, out, spec), out,
                    new Object[] {gradOutput, indices, gradInput, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW()}, new Object[0]);
        }
        zeroRowsBelowTheLastBand(program, in, out, spec, gradInput);
    }

    /** Input rows below the last stride band belong to no window: their gradient is 0. */
    private void zeroRowsBelowTheLastBand(ClProgram program, Shape in, Shape out, PoolSpec spec, Object gradInput) {
        int firstUncoveredRow = out.h() * spec.strideH() - spec.padH();
        if (firstUncoveredRow < in.h()) {
            launches.run(program.kernel("zero_rows"), new long[] {in.w(), in.h() - firstUncoveredRow, in.planes()}, null,
                    gradInput, in.h(), in.w(), firstUncoveredRow);
        }
    }

    @Override
    public void avgBackward(Object gradOutput, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object gradInput) {
        ClProgram program = program(spec, KernelSource.OpKernels.AVERAGE, false);
        if (rowScatter(spec, in)) {
            planeScatter(program.kernel("avg_backward_scatter"), in, ring(spec, rowScatterRingRow(in)), gradOutput, gradInput,
                    in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW(), options.countIncludePad() ? 1 : 0,
                    options.divisorOverride());
            return;
        }
        if (segmentGather(spec) && spec.strideW() == 1 && rowsPerItem(spec) > 1) {
            gatherSegments(program.kernel("avg_backward_gather_rows"), in, rowsPerItem(spec), gradOutput, gradInput, in.h(), in.w(),
                    out.h(), out.w(), spec.padH(), spec.padW(), options.countIncludePad() ? 1 : 0, options.divisorOverride());
            return;
        }
        if (segmentGather(spec) && spec.strideW() > 1) {
            gatherStrided(program.kernel("avg_backward_gather_strided"), in, spec, gradOutput, gradInput, in.h(), in.w(),
                    out.h(), out.w(), spec.padH(), spec.padW(), options.countIncludePad() ? 1 : 0, options.divisorOverride());
            return;
        }
        if (!spec.windowsDisjoint() && blockGather(spec)) {
            blocks(program.kernel("avg_backward_gather_block"), GpuLaunchShape.flatBlocks(), ceilDiv(in.w(), gatherColumns(spec)),
                    ceilDiv(in.h(), rows(spec)), in.planes(), gradOutput, gradInput, in.h(), in.w(), out.h(), out.w(),
                    spec.padH(), spec.padW(), options.countIncludePad() ? 1 : 0, options.divisorOverride());
            return;
        }
        if (!spec.windowsDisjoint()) {
            gather(program.kernel("avg_backward_gather"), in, gradOutput, gradInput, in.h(), in.w(), out.h(),
                    out.w(), spec.padH(), spec.padW(), options.countIncludePad() ? 1 : 0, options.divisorOverride());
            return;
        }
        // Disjoint windows: a map, each window writing its stride band; on a CPU 8 windows per work-item.
        if (segments && KernelSource.directSegmentKernels(spec)) {
            bandSegments(program.kernel("avg_backward_band_segment"), out, gradOutput, gradInput, in.h(), in.w(),
                    out.h(), out.w(), spec.padH(), spec.padW(), options.countIncludePad() ? 1 : 0, options.divisorOverride());
        } else {
            ClKernel band = program.kernel("avg_backward_band_window");
            blocks(band, GpuLaunchShape.flatBands(), ceilDiv(out.w(), bandColumns()), out.h(), out.planes(),
                    gradOutput, gradInput, in.h(), in.w(),
                    out.h(), out.w(), spec.padH(), spec.padW(), options.countIncludePad() ? 1 : 0, options.divisorOverride());
        }
        zeroRowsBelowTheLastBand(program, in, out, spec, gradInput);
    }

    /** A band-segment launch (CPU family): {@value #SEGMENT} windows of an output row per work-item, whole rows per work-group. */
    private void bandSegments(ClKernel band, Shape out, Object... args) {
        int items = ceilDiv(out.w(), SEGMENT);
        long[] local = items <= band.maxWorkGroupSize()
                ? new long[] {items, segmentRowsPerGroup(band, items, out.h()), 1} : null;
        launches.run(band, new long[] {items, out.h(), out.planes()}, local, args);
    }

    @Override
    public void lpBackward(Object gradOutput, Object input, Object output, Shape in, Shape out, PoolSpec spec,
                           float norm, Object gradInput) {
        ClProgram program = program(spec, KernelSource.OpKernels.LP, false);
        if (!segments && spec.windowsDisjoint() && !perElementGathers()) {
            // Disjoint windows: a map, each window writing its stride band, as average's.
            ClKernel band = program.kernel("lp_backward_band_window");
            blocks(band, GpuLaunchShape.flatBands(), ceilDiv(out.w(), bandColumns()), out.h(), out.planes(),
                    gradOutput, input, output, gradInput, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW(), norm);
            zeroRowsBelowTheLastBand(program, in, out, spec, gradInput);
            return;
        }
        if (blockGather(spec)) {
            blocks(program.kernel("lp_backward_gather_block"), GpuLaunchShape.flatBlocks(), ceilDiv(in.w(), gatherColumns(spec)),
                    ceilDiv(in.h(), rows(spec)), in.planes(), gradOutput, input, output, gradInput, in.h(), in.w(),
                    out.h(), out.w(), spec.padH(), spec.padW(), norm);
            return;
        }
        if (segments && spec.windowsDisjoint() && KernelSource.directSegmentKernels(spec)) {
            // Disjoint windows: 8 windows' stride bands per work-item, as average's band segments.
            bandSegments(program.kernel("lp_backward_band_segment"), out, gradOutput, input, output, gradInput, in.h(), in.w(),
                    out.h(), out.w(), spec.padH(), spec.padW(), norm);
            zeroRowsBelowTheLastBand(program, in, out, spec, gradInput);
            return;
        }
        if (rowScatter(spec, in)) {
            planeScatter(program.kernel("lp_backward_scatter"), in, ring(spec, rowScatterRingRow(in)), gradOutput, input, output,
                    gradInput, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW(), norm);
            return;
        }
        if (segmentGather(spec) && spec.strideW() > 1) { // whatever the plane count
            gatherStrided(program.kernel("lp_backward_gather_strided"), in, spec, gradOutput, input, output, gradInput, in.h(),
                    in.w(), out.h(), out.w(), spec.padH(), spec.padW(), norm);
            return;
        }
        if (windowScatter(spec, in)) {
            planeScatter(program.kernel("lp_backward_scatter_windows"), in, ring(spec, rowScatterRingRow(in)), gradOutput, input,
                    output, gradInput, in.h(), in.w(), out.h(), out.w(), spec.padH(), spec.padW(), norm);
            return;
        }
        gather(program.kernel("lp_backward_gather"), in, gradOutput, input, output, gradInput, in.h(), in.w(),
                out.h(), out.w(), spec.padH(), spec.padW(), norm);
    }

    /**
     * System property that sends the GPU family's block gathers, and LP's band map for disjoint
     * windows, back to the per-element gathers they replace, for benchmarks and tests:
     * {@code block} (the default) or {@code element}.
     */
    static final String GATHER_PROPERTY = "clpool.gpu.gather";

    /**
     * Whether the GPU family can take its block gathers for {@code spec} (direct.cl's GATHER_BLOCK:
     * max/min, average and LP alike): a build that has them ({@link #blockKernel(PoolSpec, int)})
     * and {@value #GATHER_PROPERTY} not {@code element}. They give the per-element gathers' bits,
     * reading each window once per block (LP's powers once per window, not once per element). They
     * take overlapping windows; a map over the windows does disjoint ones.
     */
    private boolean blockGather(PoolSpec spec) {
        return !segments && blockKernel(spec, rows(spec)) && !perElementGathers();
    }

    /** Whether {@value #GATHER_PROPERTY} asks for the per-element gathers. */
    private static boolean perElementGathers() {
        String forced = System.getProperty(GATHER_PROPERTY);
        if (forced == null || forced.isBlank() || forced.trim().equals("block")) {
            return false;
        }
        if (forced.trim().equals("element")) {
            return true;
        }
        throw new IllegalArgumentException(GATHER_PROPERTY + " should be block or element, but got '" + forced + "'");
    }

    // ---- launch geometry -----------------------------------------------------------------------

    /** Output columns {@code [first, first + count)}. */
    record Columns(int first, int count) {}

    /** The output columns whose taps all lie inside the input columns. */
    static Columns forwardInnerColumns(Shape in, Shape out, PoolSpec s) {
        int first = ceilDiv(s.padW(), s.strideW());
        int last = Math.min(out.w() - 1,
                Math.floorDiv(in.w() - 1 + s.padW() - (s.kernelW() - 1) * s.dilationW(), s.strideW()));
        return new Columns(first, Math.max(0, last - first + 1));
    }

    /**
     * The output columns whose stride band lies inside the input columns; the last output column
     * only when its band ends exactly at the input's end (else the edge kernel also zeroes the
     * columns after it).
     */
    static Columns bandInnerColumns(Shape in, Shape out, PoolSpec s) {
        int first = ceilDiv(s.padW(), s.strideW());
        int last = Math.min(out.w() - 1, Math.floorDiv(in.w() + s.padW(), s.strideW()) - 1);
        if (last == out.w() - 1 && out.w() * s.strideW() - s.padW() != in.w()) {
            last--;
        }
        return new Columns(first, Math.max(0, last - first + 1));
    }

    /**
     * Runs the inner columns, then {@code edge} over the remaining columns of every row. On a CPU
     * device with a {@code segment} kernel, the inner columns go to it in whole segments of
     * {@value #SEGMENT} outputs per work-item (explicit vectors: on POCL 2 to 3 times faster than
     * a work-item per output, whose loads the vectorizer turns into gathers); otherwise to
     * {@code inner}, one output per work-item, over as many columns as whole work-groups cover.
     * Arguments: {@code head}, then the column arguments (inner and segment: first column; edge:
     * columns before the inner range, inner columns launched), then {@code tail}.
     */
    private void split(ClKernel inner, ClKernel segment, ClKernel edge, Columns columns, Shape out, Object[] head,
                       Object[] tail) {
        long planes = out.planes();
        if (segment != null && segments && columns.count() >= SEGMENT) {
            int segments = columns.count() / SEGMENT;
            long[] local = segments <= segment.maxWorkGroupSize()
                    ? new long[] {segments, segmentRowsPerGroup(segment, segments, out.h()), 1} : null;
            launches.run(segment, new long[] {segments, out.h(), planes}, local, args(head, new Object[] {columns.first()}, tail));
            runEdge(edge, columns, segments * SEGMENT, out, head, tail);
            return;
        }
        int width = innerWidth(inner, columns.count());
        int launched = width == 0 ? 0 : columns.count() / width * width;
        if (launched > 0) {
            int rows = rowsPerGroup(inner, width, out.h());
            launches.run(inner, new long[] {launched, out.h(), planes}, new long[] {width, rows, 1},
                    args(head, new Object[] {columns.first()}, tail));
        }
        runEdge(edge, columns, launched, out, head, tail);
    }

    /**
     * The edge kernel over the columns the inner launch left, in work-groups of all those columns
     * of several rows: left to the runtime, POCL ran them in groups so small that 7% of the
     * columns took longer than the other 93%.
     */
    private void runEdge(ClKernel edge, Columns columns, int launched, Shape out, Object[] head, Object[] tail) {
        int count = out.w() - launched;
        if (count == 0) {
            return;
        }
        long[] local = count <= edge.maxWorkGroupSize() ? new long[] {count, segmentRowsPerGroup(edge, count, out.h()), 1} : null;
        launches.run(edge, new long[] {count, out.h(), out.planes()}, local,
                args(head, new Object[] {columns.first(), launched}, tail));
    }

    /**
     * The segment kernel over the whole row, in work-groups of whole rows: inner columns in whole
     * segments, and, a segment at a time with every check, the columns left of them and right of
     * the last whole one.
     */
    private void segments(ClKernel segment, int rowsPerItem, Columns columns, Shape out, Object[] head, Object[] tail) {
        int inner = columns.count() / SEGMENT * SEGMENT;
        int leftSlots = ceilDiv(columns.first(), SEGMENT);
        int slots = leftSlots + inner / SEGMENT + ceilDiv(out.w() - columns.first() - inner, SEGMENT);
        int blocks = ceilDiv(out.h(), rowsPerItem);
        long[] local = slots <= segment.maxWorkGroupSize()
                ? new long[] {slots, segmentRowsPerGroup(segment, slots, blocks), 1} : null;
        launches.run(segment, new long[] {slots, blocks, out.planes()}, local,
                args(head, new Object[] {columns.first(), inner, leftSlots}, tail));
    }

    /**
     * Whether a forward of {@code spec} takes the CPU family's segment kernels ({@link #segments}:
     * max/min, average, LP): a build that has them, with at least one whole inner segment.
     */
    private boolean forwardSegments(Shape in, Shape out, PoolSpec spec) {
        return segments && KernelSource.directSegmentKernels(spec) && forwardInnerColumns(in, out, spec).count() >= SEGMENT;
    }

    /**
     * Whether the CPU family's max/min forward of {@code s} walks strips ({@code
     * extremum_forward_stream}, STRIPS in direct.cl): windows without dilation (the strips clamp
     * rows into the input, exact only for contiguous windows) within {@link #smallRowBlock},
     * whether or not they overlap down the columns. Dilated ones keep the row blocks or segments.
     */
    static boolean stripForward(PoolSpec s) {
        return KernelSource.directSegmentKernels(s) && smallRowBlock(s) && s.dilationH() == 1 && s.dilationW() == 1;
    }

    /**
     * A strip launch (CPU family): chunks of {@value #STREAM_COLUMNS} output columns, strips of
     * output rows, planes; each work-item walks its strip row by row. A plane is one strip unless
     * there are too few planes to give every compute unit 8 strips. Groups of up to 16 planes keep
     * POCL's per-group cost small where planes are many and small.
     */
    private void stream(ClKernel kernel, Shape out, Object... head) {
        long chunks = ceilDiv((long) out.w(), STREAM_COLUMNS);
        long wanted = 8L * computeUnits();
        long perPlane = Math.max(1, Math.min(out.h(), ceilDiv(wanted, chunks * out.planes())));
        int strip = (int) ceilDiv(out.h(), perPlane);
        long strips = ceilDiv((long) out.h(), strip);
        long group = largestDivisorAtMost(out.planes(), Math.min(16, kernel.maxWorkGroupSize()));
        launches.run(kernel, new long[] {chunks, strips, out.planes()}, new long[] {1, 1, group},
                args(head, new Object[] {strip}, new Object[0]));
    }

    /**
     * Output rows per work-item of the row-block kernels (ROWS in direct.cl): 4 when windows
     * overlap down the columns (stride below the effective kernel height), so a work-item loads
     * each input row once for up to KH of its outputs; 1 (no row-block kernels built) otherwise,
     * and for windows past {@link #smallRowBlock}.
     */
    static int rowsPerItem(PoolSpec s) {
        long effectiveH = (long) (s.kernelH() - 1) * s.dilationH() + 1;
        return KernelSource.directSegmentKernels(s) && smallRowBlock(s) && s.strideH() < effectiveH ? 4 : 1;
    }

    /**
     * Windows whose fully unrolled row blocks and strips are worth their build time: at most 25
     * taps, a segment span of at most 32 floats and a block of 4 output rows within 16 input rows.
     */
    private static boolean smallRowBlock(PoolSpec s) {
        long span = 7L * s.strideW() + (long) s.dilationW() * (s.kernelW() - 1) + 1;
        return (long) s.kernelH() * s.kernelW() <= 25 && span <= 32 && blockInputRows(s, 4) <= 16;
    }

    /**
     * Whether the build for {@code s} has {@code extremum_forward_column}, {@code avg_forward_column}
     * and {@code lp_forward_column} (direct.cl: the block's input rows times the kernel width at most
     * UNROLL_TAPS, 64, whatever {@link #forwardColumns}).
     */
    static boolean columnKernel(PoolSpec s) {
        return columnKernel(s, rowsPerItem(s));
    }

    /** Input rows a block of {@code rows} output rows reads (direct.cl's IN_ROWS_G). */
    private static long blockInputRows(PoolSpec s, int rows) {
        return (long) (rows - 1) * s.strideH() + (long) (s.kernelH() - 1) * s.dilationH() + 1;
    }

    /** {@link #columnKernel(PoolSpec)} for a build of {@code rows} rows per work-item. */
    static boolean columnKernel(PoolSpec s, int rows) {
        long inRows = blockInputRows(s, rows);
        return inRows * s.kernelW() <= 64;
    }

    /** System property that overrides {@link #forwardColumns} and {@link #bandColumns} for benchmarks: 1, 2 or 4. */
    static final String COLUMNS_PROPERTY = "clpool.gpu.columns";

    /**
     * Output columns per work-item of the GPU family's forward block kernels (COLS in direct.cl):
     * 2 where windows do not overlap along the row, else 1, unless {@value #COLUMNS_PROPERTY} says
     * 1, 2 or 4. Measured on an H200 (2026-11-26, 32x64x112x112): 2x2 max forward 0.69 of copy with
     * 1, 0.83 with 2, 0.68 with 4; float16 0.50 / 0.68 / 0.51; average 0.72 / 0.76 / 0.59. Windows
     * that overlap along the row keep 1: 3x3 stride 1 0.40 / 0.36 / 0.36 (its block already holds 4
     * rows), 3x3 stride 2 0.42 / 0.45 / 0.23 (2 within what separate runs vary by).
     */
    static int forwardColumns(PoolSpec spec) {
        Integer forced = forcedColumns();
        if (forced != null) {
            return forced;
        }
        long effectiveW = (long) (spec.kernelW() - 1) * spec.dilationW() + 1;
        return spec.strideW() >= effectiveW ? 2 : 1;
    }

    /**
     * Windows per work-item of the GPU family's band (disjoint backward) kernels (BAND_COLS in
     * direct.cl): 1 unless {@value #COLUMNS_PROPERTY} says 2 or 4. On the H200, 2x2 max backward
     * ran at 0.86 of copy with 1, 0.58 with 2 and 0.30 with 4; average 0.61 / 0.28 / 0.14.
     */
    static int bandColumns() {
        Integer forced = forcedColumns();
        return forced == null ? 1 : forced;
    }

    /** {@value #COLUMNS_PROPERTY}'s value, or null when it is not set. */
    private static Integer forcedColumns() {
        return GpuLaunchShape.columns(COLUMNS_PROPERTY);
    }

    /**
     * Output (or input) rows per work-item of this family's row-block kernels: {@link #rowsPerItem}
     * on the CPU family, {@link #gpuRowsPerItem} on the GPU family unless {@link GpuLaunchShape#rows}
     * overrides it.
     */
    private int rows(PoolSpec s) {
        return rows(s, segments);
    }

    /** {@link #rows(PoolSpec)} of the CPU family ({@code segments}) or the GPU family. */
    private static int rows(PoolSpec s, boolean segments) {
        if (segments) {
            return rowsPerItem(s);
        }
        Integer forced = GpuLaunchShape.rows();
        return forced == null ? gpuRowsPerItem(s) : forced;
    }

    /** Output rows per work-item of the CPU family's average and LP forward segments (SUM_ROWS in direct.cl). */
    static final int SUM_ROWS = 2;

    /** direct.cl's PRELOAD_TAPS: the most input values a column-block work-item loads before it computes. */
    static final int PRELOAD_TAPS = 48;

    /**
     * Rows per work-item of the GPU family's column and block-gather kernels: 1 where windows do not
     * overlap down the columns ({@link #rowsPerItem} is 1), else 8 where the forward block's input
     * rows over its span still fit {@value #PRELOAD_TAPS} registers (direct.cl's COLUMN_PRELOAD), else
     * 4. Measured on an H200 (2026-11-26, 32x64x112x112, fraction of copy forward / backward): 3x3
     * stride 1 with 2, 4 and 8 rows 0.36 / 0.56, 0.47 / 0.64, 0.53 / 0.68; 3x3 stride 2, whose 8 rows
     * no longer fit, 0.51 / 0.47, 0.54 / 0.58, 0.42 / 0.50.
     */
    static int gpuRowsPerItem(PoolSpec s) {
        if (rowsPerItem(s) == 1) {
            return 1;
        }
        long span = (long) (forwardColumns(s) - 1) * s.strideW() + (long) (s.kernelW() - 1) * s.dilationW() + 1;
        return blockInputRows(s, 8) * span <= PRELOAD_TAPS && columnKernel(s, 8) && blockKernel(s, 8) ? 8 : rowsPerItem(s);
    }

    /** A GPU-family launch over blocks (columns, rows, planes), shaped by {@link GpuLaunchShape}. */
    private void blocks(ClKernel kernel, boolean flat, long columns, long rows, long planes, Object... args) {
        GpuLaunchShape.Range range = GpuLaunchShape.of(kernel, flat, columns, rows, planes);
        launches.run(kernel, range.global(), range.local(), args);
    }


    /**
     * Whether the build for {@code s} has the block gathers, {@code indexed_}, {@code avg_} and
     * {@code lp_backward_gather_block} (direct.cl: their
     * block of candidate windows, (ROWS + (KH-1)·DH) × (2 + (KW-1)·DW), at most 64).
     */
    static boolean blockKernel(PoolSpec s) {
        return blockKernel(s, rowsPerItem(s));
    }

    /** Input columns per work-item of the block gathers (direct.cl's COLS_G). */
    static final int BLOCK_GATHER_COLUMNS = 2;

    /** {@link #blockKernel(PoolSpec)} for a build of {@code rows} rows per work-item. */
    static boolean blockKernel(PoolSpec s, int rows) {
        return blockFits(s, rows, BLOCK_GATHER_COLUMNS);
    }

    /** Whether a block of {@code rows} × {@code columns} elements has at most 64 candidate windows (direct.cl's UNROLL_TAPS). */
    private static boolean blockFits(PoolSpec s, int rows, int columns) {
        long t = rows + (long) (s.kernelH() - 1) * s.dilationH();
        long u = columns + (long) (s.kernelW() - 1) * s.dilationW();
        return t * u <= 64;
    }

    /** System property that overrides {@link #gatherColumns} for benchmarks: 1, 2 or 4. */
    static final String GATHER_COLUMNS_PROPERTY = "clpool.gpu.gatherColumns";

    /** {@link #gatherColumns(PoolSpec, int)} for this family's rows per work-item. */
    private int gatherColumns(PoolSpec s) {
        return gatherColumns(s, rows(s));
    }

    /**
     * Input columns per work-item of the block gathers of {@code rows} rows (COLS_G in direct.cl):
     * {@value #BLOCK_GATHER_COLUMNS}, or {@value #GATHER_COLUMNS_PROPERTY}'s 1, 2 or 4 where the
     * block's candidate windows still fit. Not yet timed on a GPU.
     */
    static int gatherColumns(PoolSpec s, int rows) {
        Integer columns = GpuLaunchShape.columns(GATHER_COLUMNS_PROPERTY);
        return columns == null ? BLOCK_GATHER_COLUMNS : gatherColumns(s, rows, columns);
    }

    /** {@code requested} columns where that block of {@code rows} rows fits, else {@value #BLOCK_GATHER_COLUMNS}. */
    static int gatherColumns(PoolSpec s, int rows, int requested) {
        return blockFits(s, rows, requested) ? requested : BLOCK_GATHER_COLUMNS;
    }

    /** Outputs per work-item of the segment kernels (SEGMENT in direct.cl). */
    static final int SEGMENT = 8;

    /** Output columns per work-item of direct.cl's strip kernels (STREAM_SEGMENTS segments). */
    static final int STREAM_COLUMNS = 16 * SEGMENT;

    /**
     * Rows per work-group of a segment launch whose groups span a row's {@code segments}: the
     * largest divisor of {@code rows} that keeps the group within the kernel's limit and 32 times
     * the preferred multiple (on POCL 256 work-items, each of 8 outputs: groups of 7×28 segments ran
     * 15-20% faster than 7×1 on the 2×2 case; fewer, larger groups cost less to schedule).
     */
    static int segmentRowsPerGroup(ClKernel kernel, int segments, int rows) {
        long target = Math.min(kernel.maxWorkGroupSize(), 32 * Math.max(1, kernel.preferredWorkGroupMultiple()));
        return (int) largestDivisorAtMost(rows, target / segments);
    }

    /** The largest divisor of {@code n} (at least 1) that is at most {@code limit}; 1 if none above 1 is. */
    private static long largestDivisorAtMost(long n, long limit) {
        for (long d = Math.min(n, limit); d > 1; d--) {
            if (n % d == 0) {
                return d;
            }
        }
        return 1;
    }

    /**
     * A plane scatter (CPU family, {@link #scatterPlanes}): a one-dimensional launch of
     * work-groups of one work-item, each over a run of whole planes, about 16 runs per compute
     * unit; {@code head}'s arguments, then the run's length and the plane count, then {@code
     * tail}'s ({@link #ring}).
     */
    private void planeScatter(ClKernel kernel, Shape in, Object[] tail, Object... head) {
        long perItem = Math.min(Integer.MAX_VALUE, Math.max(1, in.planes() / (16L * computeUnits())));
        launches.run(kernel, new long[] {ceilDiv(in.planes(), perItem)}, new long[] {1},
                args(head, new Object[] {(int) perItem, in.planes()}, tail));
    }

    /**
     * Whether the CPU family's backward of overlapping windows over {@code in} may walk whole
     * planes per work-item ({@code indexed_backward_scatter}, max/min; {@link #rowScatter},
     * average and LP with stride 1 along rows): at least two planes per compute unit, so that
     * every unit has work, and float32, or a half type whose sums fit the ring the kernel keeps
     * them in ({@link #ringBytes}: a sum in a half-precision buffer would round at every step).
     * Otherwise the segment gathers.
     */
    private boolean scatterPlanes(PoolSpec spec, Shape in, long ringRowFloats) {
        if (in.planes() < 2L * computeUnits()) {
            return false;
        }
        return dtype == DType.FLOAT32
                || (dtype == DType.FLOAT16 || dtype == DType.BFLOAT16) && ringBytes(spec, ringRowFloats) <= localMemBytes;
    }

    /**
     * The bytes of a half-type plane scatter's ring (direct.cl's RING_ROWS rows of {@code
     * rowFloats} floats, in local memory), or {@link Long#MAX_VALUE} past what a kernel may index
     * with an int.
     */
    private static long ringBytes(PoolSpec spec, long rowFloats) {
        long rows = (long) (spec.kernelH() - 1) * spec.dilationH() + 1;
        return rows > Integer.MAX_VALUE / 8 / rowFloats ? Long.MAX_VALUE : rows * rowFloats * 4;
    }

    /** A plane scatter's arguments after the plane count: its ring for half types, none for float32. */
    private Object[] ring(PoolSpec spec, long rowFloats) {
        return dtype == DType.FLOAT32 ? new Object[0] : new Object[] {new ClKernel.LocalBytes(ringBytes(spec, rowFloats))};
    }

    /** The average and LP scatters' ring rows: W rounded up to whole segments (direct.cl's ROW_FLOATS). */
    private static long rowScatterRingRow(Shape in) {
        return ceilDiv((long) in.w(), SEGMENT) * SEGMENT;
    }

    /**
     * Whether the CPU family's average or LP backward of {@code spec} over {@code in} takes the
     * vector plane scatter ({@code avg_backward_scatter}, {@code lp_backward_scatter}): windows
     * that overlap, stride 1 along rows, kernels at most {@value #SEGMENT} + 1 wide (a window's
     * factors are 8 lanes shifted by at most 8), and {@link #scatterPlanes}.
     */
    private boolean rowScatter(PoolSpec spec, Shape in) {
        return segmentGather(spec) && spec.strideW() == 1 && spec.kernelW() <= SEGMENT + 1
                && scatterPlanes(spec, in, rowScatterRingRow(in));
    }

    /**
     * Whether the CPU family's LP backward of {@code spec} over {@code in} may take the plane
     * scatter one window at a time ({@code lp_backward_scatter_windows}: any stride, any kernel
     * width) where {@link #rowScatter} does not: overlapping windows and {@link #scatterPlanes}
     * (its ring rows as the vector scatter's). {@link #lpBackward} asks only for stride 1 along
     * rows (kernels over 9 wide): strides above 1 take the strided gather, which forms its
     * windows' factors 8 at a time (POCL skylake-avx512, 3x3 stride 2: float32 level, float16
     * 1.8-2x). Average keeps its gathers (as fast, measured).
     */
    private boolean windowScatter(PoolSpec spec, Shape in) {
        return segmentGather(spec) && scatterPlanes(spec, in, rowScatterRingRow(in));
    }

    private int computeUnits() {
        return Math.max(1, context.device().computeUnits());
    }

    /**
     * Whether an overlapping backward of {@code spec} takes the CPU family's segment gathers: the
     * rows frame with stride 1 along rows ({@link #gatherSegments}), the strided one above it
     * ({@link #gatherStrided}).
     */
    private boolean segmentGather(PoolSpec spec) {
        return segments && !spec.windowsDisjoint() && KernelSource.directSegmentKernels(spec);
    }

    /**
     * A CPU-family gather over segments of {@value #SEGMENT} input columns by {@code rows} input
     * rows per work-item, in work-groups of whole rows of segments.
     */
    private void gatherSegments(ClKernel kernel, Shape in, int rows, Object... args) {
        int segments = ceilDiv(in.w(), SEGMENT);
        int blocks = ceilDiv(in.h(), rows);
        long[] local = segments <= kernel.maxWorkGroupSize()
                ? new long[] {segments, segmentRowsPerGroup(kernel, segments, blocks), 1} : null;
        launches.run(kernel, new long[] {segments, blocks, in.planes()}, local, args);
    }

    /**
     * A CPU-family gather for strides above 1 along rows: {@value #SEGMENT} windows' columns per
     * work-item, {@code SEGMENT * strideW} input columns from {@code -padW}, {@link #rowsPerItem}
     * input rows.
     */
    private void gatherStrided(ClKernel kernel, Shape in, PoolSpec spec, Object... args) {
        int items = ceilDiv(in.w() + spec.padW(), SEGMENT * spec.strideW());
        int blocks = ceilDiv(in.h(), rowsPerItem(spec));
        long[] local = items <= kernel.maxWorkGroupSize()
                ? new long[] {items, segmentRowsPerGroup(kernel, items, blocks), 1} : null;
        launches.run(kernel, new long[] {items, blocks, in.planes()}, local, args);
    }

    /** A gather over every input element: range (W, H, planes). */
    private void gather(ClKernel kernel, Shape in, Object... args) {
        long[] local = null;
        int width = divisorWidth(kernel, in.w());
        if (width > 0) {
            local = new long[] {width, rowsPerGroup(kernel, width, in.h()), 1};
        }
        launches.run(kernel, new long[] {in.w(), in.h(), in.planes()}, local, args);
    }

    /**
     * The work-group width along output columns for an inner launch of {@code columns}. On a
     * CPU device, whose OpenCL compiler vectorizes across dimension 0, the whole inner row when it
     * fits the kernel's limit (a full row was twice as fast as one preferred multiple on POCL).
     * Otherwise a multiple of the preferred work-group multiple (the SIMD or warp width), at most
     * the kernel's limit, that leaves the fewest columns to the edge kernel; 0 when the inner
     * range is narrower than one multiple.
     */
    int innerWidth(ClKernel kernel, int columns) {
        long limit = kernel.maxWorkGroupSize();
        if (!context.device().isGpu() && columns <= limit) {
            return columns;
        }
        long multiple = Math.max(1, kernel.preferredWorkGroupMultiple());
        int best = 0;
        long bestLeft = Long.MAX_VALUE;
        for (long w = multiple; w <= Math.min(limit, columns); w += multiple) {
            long left = columns % w;
            if (left <= bestLeft) {
                best = (int) w;
                bestLeft = left;
            }
        }
        return best;
    }

    /** The largest multiple of the preferred multiple that divides {@code extent} within the limit, or 0. */
    static int divisorWidth(ClKernel kernel, int extent) {
        long multiple = Math.max(1, kernel.preferredWorkGroupMultiple());
        long limit = kernel.maxWorkGroupSize();
        for (long w = Math.min(limit, extent) / multiple * multiple; w >= multiple; w -= multiple) {
            if (extent % w == 0) {
                return (int) w;
            }
        }
        return 0;
    }

    /**
     * Rows per work-group: 1 on a CPU (a work-group is one row segment); on a GPU the largest
     * divisor of {@code rows} that keeps the group within the kernel's limit and 8 warps.
     */
    int rowsPerGroup(ClKernel kernel, int width, int rows) {
        if (!context.device().isGpu()) {
            return 1;
        }
        long target = Math.min(kernel.maxWorkGroupSize(), 8 * Math.max(1, kernel.preferredWorkGroupMultiple()));
        return (int) largestDivisorAtMost(rows, target / width);
    }

    private static Object[] args(Object[] head, Object[] middle, Object[] tail) {
        Object[] all = new Object[head.length + middle.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(middle, 0, all, head.length, middle.length);
        System.arraycopy(tail, 0, all, head.length + middle.length, tail.length);
        return all;
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
