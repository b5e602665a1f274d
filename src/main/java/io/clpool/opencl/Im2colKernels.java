package io.clpool.opencl;

import io.clpool.spec.AvgOptions;
import io.clpool.spec.Checks;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.jocl.Sizeof;

/**
 * The seed's algorithm (docs/SEMANTICS.md §1) on the device, for every fixed-window op: im2col, one
 * per-column reduction built per op ({@code POOL_OP}), and backward as a scatter of each window's
 * gradient into a column buffer followed by the col2im gather. Forward, the column buffer holds
 * {@code taps × outputs} floats and as many ints for the tap sources ({@code 8·kh·kw} bytes per
 * output element); backward, {@code 4·kh·kw} bytes per output element.
 */
final class Im2colKernels implements FixedWindowKernels {
    private static final String FILE = "im2col.cl";

    /** The values of im2col.cl's {@code POOL_OP}. */
    enum Op {
        MAX("POOL_MAX"), MIN("POOL_MIN"), AVG("POOL_AVG"), LP("POOL_LP");

        final String define;

        Op(String define) {
            this.define = define;
        }
    }

    private final ClContext context;
    private final Launches launches;

    Im2colKernels(Launches launches) {
        this.context = launches.context();
        this.launches = launches;
    }

    @Override
    public void extremumForward(Object input, Shape in, Shape out, PoolSpec spec, boolean min, Object values, Object indices) {
        forward(min ? Op.MIN : Op.MAX, input, in, out, spec, new Object[] {values, indices}, new Object[0]);
    }

    @Override
    public void avgForward(Object input, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object output) {
        forward(Op.AVG, input, in, out, spec, new Object[] {output}, avgParameters(options));
    }

    @Override
    public void lpForward(Object input, Shape in, Shape out, PoolSpec spec, float norm, Object output) {
        forward(Op.LP, input, in, out, spec, new Object[] {output}, new Object[] {norm});
    }

    @Override
    public void indexedBackward(Object gradOutput, Object indices, Shape in, Shape out, PoolSpec spec, Object gradInput) {
        backward(Op.MAX, gradOutput, new Object[] {indices}, in, out, spec, new Object[0], gradInput);
    }

    @Override
    public void avgBackward(Object gradOutput, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object gradInput) {
        backward(Op.AVG, gradOutput, new Object[0], in, out, spec, avgParameters(options), gradInput);
    }

    @Override
    public void lpBackward(Object gradOutput, Object input, Object output, Shape in, Shape out, PoolSpec spec,
                           float norm, Object gradInput) {
        backward(Op.LP, gradOutput, new Object[] {input, output}, in, out, spec, new Object[] {norm}, gradInput);
    }

    /**
     * im2col, then reduce_columns built for {@code op}; {@code results} are the reduction's
     * output buffers and {@code parameters} the op's scalars, in im2col.cl's order.
     */
    private void forward(Op op, Object input, Shape in, Shape out, PoolSpec spec, Object[] results, Object[] parameters) {
        long columns = out.elementCount();
        long cells = Checks.saturatingMultiply(columns, spec.taps()); // saturates, so an impossible size is refused by the allocation
        ClProgram program = program(op);
        ClBuffer colValues = launches.workspace("im2col column values (float per tap and window)", Checks.saturatingMultiply(cells, Sizeof.cl_float));
        ClBuffer colSource = launches.workspace("im2col column sources (int per tap and window)", Checks.saturatingMultiply(cells, Sizeof.cl_int));
        Object[] geometry = geometry(in, out, spec);
        launches.runGuarded(program.kernel("im2col"), columns,
                arguments(input, colValues, colSource, columns, geometry));
        launches.runGuarded(program.kernel("reduce_columns"), columns,
                arguments(colValues, colSource, results, columns, geometry, parameters));
    }

    /**
     * scatter_to_columns built for {@code op} ({@code operands}: what it reads besides dY), then
     * the col2im gather. Max and min share the max build: their scatter only follows the indices.
     */
    private void backward(Op op, Object gradOutput, Object[] operands, Shape in, Shape out, PoolSpec spec,
                          Object[] parameters, Object gradInput) {
        long columns = out.elementCount();
        ClProgram program = program(op);
        ClBuffer colGrad = launches.workspace("im2col column gradients (float per tap and window)",
                Checks.saturatingMultiply(Checks.saturatingMultiply(columns, spec.taps()), Sizeof.cl_float));
        Object[] geometry = geometry(in, out, spec);
        launches.runGuarded(program.kernel("scatter_to_columns"), columns,
                arguments(gradOutput, operands, colGrad, columns, geometry, parameters));
        launches.runGuarded(program.kernel("col2im_gather"), in.elementCount(),
                arguments(colGrad, gradInput, in.elementCount(), columns, geometry));
    }

    private ClProgram program(Op op) {
        return context.program(FILE, KernelSource.options(defines(op)));
    }

    /** The defines of the im2col.cl build of {@code op}'s kernels. */
    static Map<String, Object> defines(Op op) {
        return Map.of("POOL_OP", op.define);
    }

    /** The OP_PARAMETERS of an average build, in im2col.cl's order. */
    private static Object[] avgParameters(AvgOptions options) {
        return new Object[] {options.countIncludePad() ? 1 : 0, options.divisorOverride()};
    }

    /** The GEOMETRY arguments of im2col.cl, in its order. */
    static Object[] geometry(Shape in, Shape out, PoolSpec s) {
        return new Object[] {in.h(), in.w(), out.h(), out.w(), s.kernelH(), s.kernelW(), s.strideH(), s.strideW(),
                s.padH(), s.padW(), s.dilationH(), s.dilationW()};
    }

    /** Kernel arguments in order, each {@code Object[]} part spread in place. */
    static Object[] arguments(Object... parts) {
        return Arrays.stream(parts)
                .flatMap(part -> part instanceof Object[] group ? Arrays.stream(group) : Stream.of(part))
                .toArray();
    }
}
