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
 * tensors that are channels last or stored in a half type. Max, min, average and (2-D) LP,
 * forward and backward, one work-item per output forward and a gather per input element
 * backward, so every backward is deterministic. The window (kernel, stride, dilation), the
 * storage type and the layout are compile-time, one build per combination; shapes and padding
 * are arguments. The same kernels serve every device type: there is no separate CPU or GPU
 * family here yet.
 */
final class VolumeKernels implements FixedWindowKernels {
    private static final String FILE = "volume.cl";

    private final ClContext context;
    private final Launches launches;
    private final DType dtype;

    VolumeKernels(Launches launches, DType dtype) {
        this.context = launches.context();
        this.launches = launches;
        this.dtype = dtype;
    }

    @Override
    public void extremumForward(Object input, Shape in, Shape out, PoolSpec spec, boolean min, Object values, Object indices) {
        run(program(spec, min, in).kernel(forwardName("volume_extremum_forward", in, out, spec, dtype)), out, in, out, spec,
                new Object[] {input, values, indices});
    }

    @Override
    public void indexedBackward(Object gradOutput, Object indices, Shape in, Shape out, PoolSpec spec, Object gradInput) {
        run(program(spec, false, in).kernel(vectorName("volume_indexed_backward", in, dtype)), in, in, out, spec,
                new Object[] {gradOutput, indices, gradInput});
    }

    @Override
    public void avgForward(Object input, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object output) {
        run(program(spec, false, in).kernel(forwardName("volume_avg_forward", in, out, spec, dtype)), out, in, out, spec,
                new Object[] {input, output},
                options.countIncludePad() ? 1 : 0, options.divisorOverride());
    }

    @Override
    public void avgBackward(Object gradOutput, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object gradInput) {
        run(program(spec, false, in).kernel(vectorName("volume_avg_backward", in, dtype)), in, in, out, spec,
                new Object[] {gradOutput, gradInput}, options.countIncludePad() ? 1 : 0, options.divisorOverride());
    }

    @Override
    public void lpForward(Object input, Shape in, Shape out, PoolSpec spec, float norm, Object output) {
        lpForward(input, in, out, spec, (double) norm, output);
    }

    /** The norm in the compute type: double for float64 (PyTorch's double norm), else float. */
    @Override
    public void lpForward(Object input, Shape in, Shape out, PoolSpec spec, double norm, Object output) {
        run(program(spec, false, in).kernel("volume_lp_forward"), out, in, out, spec, new Object[] {input, output}, computeNorm(norm));
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
        run(program(spec, false, in).kernel("volume_lp_backward"), in, in, out, spec,
                new Object[] {gradOutput, input, output, gradInput}, computeNorm(norm));
    }

    /**
     * One work-item per element of {@code items} (the output forward, the input backward) in
     * volume.cl's 3-D range: (W, H, planes·D) channels first, (C, W, N·D·H) channels last, exactly
     * (the work-group size is the runtime's). Arguments: the buffers, VOLUME_SHAPES, then the op's own.
     */
    private void run(ClKernel kernel, Shape items, Shape in, Shape out, PoolSpec spec, Object[] buffers, Object... tail) {
        Object[] shapes = {in.c(), in.d(), in.h(), in.w(), out.d(), out.h(), out.w(), spec.padD(), spec.padH(), spec.padW()};
        Object[] args = Arrays.copyOf(buffers, buffers.length + shapes.length + tail.length, Object[].class);
        System.arraycopy(shapes, 0, args, buffers.length, shapes.length);
        System.arraycopy(tail, 0, args, buffers.length + shapes.length, tail.length);
        long[] range = kernel.name().endsWith(ROW_SUFFIX) ? new long[] {(items.w() + LANES - 1) / LANES, items.h(), items.planes() * items.d()}
                : !items.isChannelsLast() ? new long[] {items.w(), items.h(), items.planes() * items.d()}
                : new long[] {vectorized(in, dtype) && kernel.name().endsWith(VECTOR_SUFFIX) ? items.c() / LANES : items.c(), items.w(),
                        (long) items.n() * items.d() * items.h()};
        launches.run(kernel, range, null, args); // the runtime's work-groups: 2-4x faster on POCL than 8x32 tiles
    }

    /** volume.cl's channels-last kernels that take 8 channels per work-item: {@code <name>_c8}. */
    private static final String VECTOR_SUFFIX = "_c8";
    private static final int LANES = 8;

    /**
     * Channels last with C a multiple of 8: the 8-lane kernels, whose every tap is one vector load
     * along C. Not float64: volume.cl builds the 8-lane kernels for the float compute type only.
     */
    private static boolean vectorized(Shape in, DType dtype) {
        return in.isChannelsLast() && in.c() % LANES == 0 && dtype != DType.FLOAT64;
    }

    private static String vectorName(String kernel, Shape in, DType dtype) {
        return vectorized(in, dtype) ? kernel + VECTOR_SUFFIX : kernel;
    }

    /** volume.cl's channels-first forward kernels that take 8 outputs of a row per work-item: {@code <name>_w8}. */
    private static final String ROW_SUFFIX = "_w8";

    /**
     * The forward kernel: 8 channels per work-item channels last (C a multiple of 8); 8 outputs of a
     * row per work-item channels first when the row span fits (direct.cl's segment rule, the one
     * place for it) and the lanes past the row's end keep every column in an int; else the scalar one.
     */
    private static String forwardName(String kernel, Shape in, Shape out, PoolSpec spec, DType dtype) {
        if (in.isChannelsLast() || dtype == DType.FLOAT64) {
            return vectorName(kernel, in, dtype);
        }
        long lastLaneReach = (long) (out.w() + LANES - 1) * spec.strideW() + (long) spec.dilationW() * (spec.kernelW() - 1) + 1;
        return KernelSource.directSegmentKernels(spec) && lastLaneReach <= Integer.MAX_VALUE ? kernel + ROW_SUFFIX : kernel;
    }

    private ClProgram program(PoolSpec spec, boolean min, Shape in) {
        Map<String, Object> defines = new TreeMap<>(KernelSource.formatDefines(dtype, in.layout()));
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
        return context.program(FILE, KernelSource.options(defines));
    }
}
