package io.clpool.opencl;

import io.clpool.PoolOp;
import io.clpool.spec.FractionalWindows;
import io.clpool.spec.DType;
import io.clpool.spec.Shape;

/**
 * Fractional max pooling (2-D or 3-D) on the device, forward and backward, with the direct kernels of
 * {@code kernels/fractional.cl}. The samples live in a plan-owned workspace buffer, written once
 * (a blocking upload) when the plan records its launches, never on the execution path; backward
 * is a gather.
 */
final class FractionalKernels {
    private static final String FILE = "fractional.cl";
    private static final String SAMPLES = "fractional samples";

    private FractionalKernels() {}

    static void record(PoolOp.FractionalMax op, Shape in, Shape out, DType dtype, Launches forward, Launches backward) {
        float[] samples = op.samplesFor(in);
        ClBuffer buffer = forward.workspace(SAMPLES, (long) samples.length * Float.BYTES);
        buffer.write(samples);
        if (backward.workspace(SAMPLES, (long) samples.length * Float.BYTES) != buffer) {
            throw new IllegalStateException("the forward and backward of a plan share its workspace");
        }
        ClProgram program = forward.context().program(FILE, KernelSource.options(KernelSource.formatDefines(dtype, in.layout())));
        // 2-D: a depth of 1 (D, OD, KD 1), whose one window starts at 0 whatever sample SD names.
        Object[] shapes = {in.c(), in.d(), in.h(), in.w(), out.d(), out.h(), out.w(), op.kernelD(), op.kernelH(), op.kernelW(),
            alpha(in.d(), out.d(), op.kernelD(), dtype), alpha(in.h(), out.h(), op.kernelH(), dtype),
            alpha(in.w(), out.w(), op.kernelW(), dtype),
            op.samplesPerPlane(), Math.max(op.sampleOfD(), 0), op.sampleOfH(), op.sampleOfW()};
        forward.runGuarded(program.kernel("fractional_max_forward"), out.elementCount(),
                concat(new Object[] {Launches.Slot.INPUT, buffer, Launches.Slot.OUTPUT, Launches.Slot.INDICES, out.elementCount()}, shapes));
        backward.runGuarded(program.kernel("fractional_max_backward"), in.elementCount(),
                concat(new Object[] {Launches.Slot.GRAD_OUTPUT, Launches.Slot.INDICES, buffer, Launches.Slot.GRAD_INPUT, in.elementCount()},
                        shapes));
    }

    /** alpha in fractional.cl's compute_t: a double for float64, else a float. */
    private static Object alpha(int in, int out, int k, DType dtype) {
        return dtype == DType.FLOAT64 ? (Object) FractionalWindows.alpha(in, out, k, dtype) : (Object) FractionalWindows.alpha(in, out, k);
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
