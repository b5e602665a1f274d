package io.clpool.opencl;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.Checks;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Map;
import java.util.TreeMap;
import org.jocl.Sizeof;

/**
 * The seed's im2col algorithm for max and min on the general cases ({@code kernels/im2col_general.cl}):
 * 3-D windows, channels-last tensors and half storage types, which the 2-D float32 channels-first
 * {@link Im2colKernels} do not read. Forward: im2col, then a per-column max/min with its winning
 * index; backward: dY scattered into a column buffer at each column's winning tap, then the col2im
 * gather. As {@link Im2colKernels}, the forward column buffers hold {@code 8·taps} bytes per output
 * element (a float value and an int source per tap), backward {@code 4·taps}; their sizes saturate,
 * so a buffer that cannot exist is refused by the allocation, before any device work. Average and
 * LP pooling have no kernels here: {@link KernelFamilies#requireSupported} refuses them first.
 */
final class Im2colGeneralKernels implements FixedWindowKernels {
    private static final String FILE = "im2col_general.cl";

    private final ClContext context;
    private final Launches launches;
    private final DType dtype;

    Im2colGeneralKernels(Launches launches, DType dtype) {
        this.context = launches.context();
        this.launches = launches;
        this.dtype = dtype;
    }

    /** Bytes of one column cell: window.cl's compute_t, double for float64, else float. */
    private long computeBytes() {
        return dtype == DType.FLOAT64 ? Sizeof.cl_double : Sizeof.cl_float;
    }

    @Override
    public void extremumForward(Object input, Shape in, Shape out, PoolSpec spec, boolean min, Object values, Object indices) {
        long columns = out.elementCount();
        long cells = Checks.saturatingMultiply(columns, spec.taps()); // saturates: an impossible size is refused by the allocation
        ClBuffer colValues = launches.workspace("im2col column values (float per tap and window)",
                Checks.saturatingMultiply(cells, computeBytes()));
        ClBuffer colSource = launches.workspace("im2col column sources (int per tap and window)",
                Checks.saturatingMultiply(cells, Sizeof.cl_int));
        ClProgram program = program(min, in);
        launches.runGuarded(program.kernel("im2col"), columns,
                Im2colKernels.arguments(input, colValues, colSource, columns, geometry(in, out, spec)));
        launches.runGuarded(program.kernel("reduce_extremum"), columns,
                colValues, colSource, values, indices, columns, spec.taps());
    }

    @Override
    public void indexedBackward(Object gradOutput, Object indices, Shape in, Shape out, PoolSpec spec, Object gradInput) {
        long columns = out.elementCount();
        ClBuffer colGrad = launches.workspace("im2col column gradients (float per tap and window)",
                Checks.saturatingMultiply(Checks.saturatingMultiply(columns, spec.taps()), computeBytes()));
        ClProgram program = program(false, in);
        Object[] geometry = geometry(in, out, spec);
        launches.runGuarded(program.kernel("scatter_to_columns"), columns,
                Im2colKernels.arguments(gradOutput, indices, colGrad, columns, geometry));
        launches.runGuarded(program.kernel("col2im_gather"), in.elementCount(),
                Im2colKernels.arguments(colGrad, gradInput, in.elementCount(), columns, geometry));
    }

    @Override
    public void avgForward(Object input, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object output) {
        throw unsupported("average");
    }

    @Override
    public void avgBackward(Object gradOutput, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object gradInput) {
        throw unsupported("average");
    }

    @Override
    public void lpForward(Object input, Shape in, Shape out, PoolSpec spec, float norm, Object output) {
        throw unsupported("LP");
    }

    @Override
    public void lpBackward(Object gradOutput, Object input, Object output, Shape in, Shape out, PoolSpec spec, float norm,
                           Object gradInput) {
        throw unsupported("LP");
    }

    private static IllegalStateException unsupported(String op) {
        return new IllegalStateException("no general IM2COL kernels for " + op + " pooling (KernelFamilies.requireSupported refuses it)");
    }

    private ClProgram program(boolean min, Shape in) {
        return context.program(FILE, KernelSource.options(defines(min, dtype, in.layout())));
    }

    /** The defines of the im2col_general.cl build of max ({@code min} false) or min for tensors of {@code dtype} in {@code layout}. */
    static Map<String, Object> defines(boolean min, DType dtype, Layout layout) {
        Map<String, Object> defines = new TreeMap<>(KernelSource.formatDefines(dtype, layout));
        defines.put("POOL_MIN", min ? 1 : 0);
        return defines;
    }

    /** The GENERAL_GEOMETRY arguments of im2col_general.cl, in its order. */
    private static Object[] geometry(Shape in, Shape out, PoolSpec s) {
        return new Object[] {in.c(), in.d(), in.h(), in.w(), out.d(), out.h(), out.w(),
                s.kernelD(), s.kernelH(), s.kernelW(), s.strideD(), s.strideH(), s.strideW(),
                s.padD(), s.padH(), s.padW(), s.dilationD(), s.dilationH(), s.dilationW()};
    }
}
