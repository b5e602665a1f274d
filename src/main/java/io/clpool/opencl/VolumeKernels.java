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
        run(program(spec, min, in).kernel("volume_extremum_forward"), out.elementCount(), in, out, spec, new Object[] {input, values, indices});
    }

    @Override
    public void indexedBackward(Object gradOutput, Object indices, Shape in, Shape out, PoolSpec spec, Object gradInput) {
        run(program(spec, false, in).kernel("volume_indexed_backward"), in.elementCount(), in, out, spec,
                new Object[] {gradOutput, indices, gradInput});
    }

    @Override
    public void avgForward(Object input, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object output) {
        run(program(spec, false, in).kernel("volume_avg_forward"), out.elementCount(), in, out, spec, new Object[] {input, output},
                options.countIncludePad() ? 1 : 0, options.divisorOverride());
    }

    @Override
    public void avgBackward(Object gradOutput, Shape in, Shape out, PoolSpec spec, AvgOptions options, Object gradInput) {
        run(program(spec, false, in).kernel("volume_avg_backward"), in.elementCount(), in, out, spec,
                new Object[] {gradOutput, gradInput}, options.countIncludePad() ? 1 : 0, options.divisorOverride());
    }

    @Override
    public void lpForward(Object input, Shape in, Shape out, PoolSpec spec, float norm, Object output) {
        run(program(spec, false, in).kernel("volume_lp_forward"), out.elementCount(), in, out, spec, new Object[] {input, output}, norm);
    }

    @Override
    public void lpBackward(Object gradOutput, Object input, Object output, Shape in, Shape out, PoolSpec spec, float norm,
                           Object gradInput) {
        run(program(spec, false, in).kernel("volume_lp_backward"), in.elementCount(), in, out, spec,
                new Object[] {gradOutput, input, output, gradInput}, norm);
    }

    /** The buffers, the item count, VOLUME_SHAPES, then the op's own arguments. */
    private void run(ClKernel kernel, long items, Shape in, Shape out, PoolSpec spec, Object[] buffers, Object... tail) {
        Object[] shapes = {items, in.c(), in.d(), in.h(), in.w(), out.d(), out.h(), out.w(), spec.padD(), spec.padH(), spec.padW()};
        Object[] args = Arrays.copyOf(buffers, buffers.length + shapes.length + tail.length, Object[].class);
        System.arraycopy(shapes, 0, args, buffers.length, shapes.length);
        System.arraycopy(tail, 0, args, buffers.length + shapes.length, tail.length);
        launches.runGuarded(kernel, items, args);
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
