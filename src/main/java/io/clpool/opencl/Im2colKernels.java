package io.clpool.opencl;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Map;
import org.jocl.Sizeof;

/**
 * The seed's algorithm (DESIGN.md §1) on the device: im2col, per-column reduction, and the
 * backward scatter plus col2im gather. The column buffer holds {@code taps × outputs} floats and
 * as many ints for the tap sources, so it costs {@code 8·kh·kw} bytes per output element.
 */
final class Im2colKernels implements FixedWindowKernels {
    private static final String FILE = "im2col.cl";

    private final ClContext context;
    private final Workspace workspace;

    Im2colKernels(ClContext context, Workspace workspace) {
        this.context = context;
        this.workspace = workspace;
    }

    @Override
    public void extremumForward(ClBuffer input, Shape in, Shape out, PoolSpec spec, boolean min, ClBuffer values, ClBuffer indices) {
        long columns = out.elementCount();
        long cells = columns * spec.taps();
        ClProgram program = context.program(FILE, KernelSource.options(Map.of("POOL_MIN", min ? 1 : 0)));
        ClBuffer colValues = workspace.get("im2col column values (" + spec.taps() + " taps x " + columns + " windows, float)",
                cells * Sizeof.cl_float);
        ClBuffer colSource = workspace.get("im2col column sources (" + spec.taps() + " taps x " + columns + " windows, int)",
                cells * Sizeof.cl_int);
        context.run(program.kernel("im2col"), new long[] {columns}, null,
                concat(new Object[] {input, colValues, colSource, columns}, geometry(in, out, spec)));
        context.run(program.kernel("reduce_extremum"), new long[] {columns}, null,
                colValues, colSource, values, indices, columns, spec.taps());
    }

    /** Scatter into the column buffer, then col2im as a gather. */
    @Override
    public void indexedBackward(ClBuffer gradOutput, ClBuffer indices, Shape in, Shape out, PoolSpec spec, ClBuffer gradInput) {
        long columns = out.elementCount();
        ClProgram program = context.program(FILE, KernelSource.options(Map.of()));
        ClBuffer colGrad = workspace.get("im2col column gradients (" + spec.taps() + " taps x " + columns + " windows, float)",
                columns * spec.taps() * Sizeof.cl_float);
        context.run(program.kernel("scatter_to_columns"), new long[] {columns}, null,
                concat(new Object[] {gradOutput, indices, colGrad, columns}, geometry(in, out, spec)));
        context.run(program.kernel("col2im_gather"), new long[] {in.elementCount()}, null,
                concat(new Object[] {colGrad, gradInput, in.elementCount(), columns}, geometry(in, out, spec)));
    }

    @Override
    public void avgForward(ClBuffer input, Shape in, Shape out, PoolSpec spec, AvgOptions options, ClBuffer output) {
        throw new UnsupportedOperationException("average pooling is not yet implemented with IM2COL");
    }

    @Override
    public void avgBackward(ClBuffer gradOutput, Shape in, Shape out, PoolSpec spec, AvgOptions options, ClBuffer gradInput) {
        throw new UnsupportedOperationException("average pooling backward is not yet implemented with IM2COL");
    }

    @Override
    public void lpForward(ClBuffer input, Shape in, Shape out, PoolSpec spec, float norm, ClBuffer output) {
        throw new UnsupportedOperationException("LP pooling is not yet implemented with IM2COL");
    }

    @Override
    public void lpBackward(ClBuffer gradOutput, ClBuffer input, ClBuffer output, Shape in, Shape out, PoolSpec spec,
                           float norm, ClBuffer gradInput) {
        throw new UnsupportedOperationException("LP pooling backward is not yet implemented with IM2COL");
    }

    /** The GEOMETRY arguments of im2col.cl, in its order. */
    static Object[] geometry(Shape in, Shape out, PoolSpec s) {
        return new Object[] {in.h(), in.w(), out.h(), out.w(), s.kernelH(), s.kernelW(), s.strideH(), s.strideW(),
                s.padH(), s.padW(), s.dilationH(), s.dilationW()};
    }

    static Object[] concat(Object[] first, Object[] second) {
        Object[] all = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
