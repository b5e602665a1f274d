package io.clpool.opencl;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.opencl.Launches.Slot;
import io.clpool.spec.DType;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Locale;

/**
 * Which kernels run an op: the one place that maps a {@link PoolOp} to its kernel family and
 * records the family's forward and backward launches into a plan.
 */
final class KernelFamilies {
    /** System property that forces a kernel family on any device: {@code gpu} or {@code cpu}. */
    static final String KERNELS_PROPERTY = "clpool.kernels";

    private KernelFamilies() {}

    static void record(PoolOp op, Shape in, Shape out, DType dtype, Algorithm algorithm, Launches forward, Launches backward) {
        if (op instanceof PoolOp.Extremum) {
            boolean min = op instanceof PoolOp.Min;
            fixedWindow(algorithm, op.spec(), in, dtype, forward).extremumForward(Slot.INPUT, in, out, op.spec(), min, Slot.OUTPUT, Slot.INDICES);
            fixedWindow(algorithm, op.spec(), in, dtype, backward).indexedBackward(Slot.GRAD_OUTPUT, Slot.INDICES, in, out, op.spec(), Slot.GRAD_INPUT);
        } else if (op instanceof PoolOp.Avg avg) {
            fixedWindow(algorithm, op.spec(), in, dtype, forward).avgForward(Slot.INPUT, in, out, avg.spec(), avg.options(), Slot.OUTPUT);
            fixedWindow(algorithm, op.spec(), in, dtype, backward).avgBackward(Slot.GRAD_OUTPUT, in, out, avg.spec(), avg.options(), Slot.GRAD_INPUT);
        } else if (op instanceof PoolOp.Lp lp) {
            double norm = lp.norm(); // rounded to float by kernels that compute in float
            fixedWindow(algorithm, op.spec(), in, dtype, forward).lpForward(Slot.INPUT, in, out, lp.spec(), norm, Slot.OUTPUT);
            fixedWindow(algorithm, op.spec(), in, dtype, backward).lpBackward(Slot.GRAD_OUTPUT, Slot.INPUT, Slot.OUTPUT, in, out, lp.spec(), norm,
                    Slot.GRAD_INPUT);
        } else if (op instanceof PoolOp.AdaptiveMax) {
            new AdaptiveKernels(forward, dtype).maxForward(Slot.INPUT, in, out, Slot.OUTPUT, Slot.INDICES);
            new AdaptiveKernels(backward, dtype).maxBackward(Slot.GRAD_OUTPUT, Slot.INDICES, in, out, Slot.GRAD_INPUT);
        } else if (op instanceof PoolOp.AdaptiveAvg) {
            new AdaptiveKernels(forward, dtype).avgForward(Slot.INPUT, in, out, Slot.OUTPUT);
            new AdaptiveKernels(backward, dtype).avgBackward(Slot.GRAD_OUTPUT, in, out, Slot.GRAD_INPUT);
        } else if (op instanceof PoolOp.FractionalMax fractional) {
            FractionalKernels.record(fractional, in, out, dtype, forward, backward);
        } else if (op instanceof PoolOp.MaxUnpool) {
            new UnpoolKernels(forward, dtype).forward(Slot.INPUT, Slot.INDICES, in, out, Slot.OUTPUT);
            new UnpoolKernels(backward, dtype).backward(Slot.GRAD_OUTPUT, Slot.INDICES, in, out, Slot.GRAD_INPUT);
        } else {
            throw new IllegalStateException("no kernels for " + op);
        }
    }

    /**
     * 2-D channels-first windows run {@code direct.cl} (DIRECT and AUTO: the fastest for every
     * fixed-window op) in float32, float16 and bfloat16; IM2COL runs {@code im2col.cl} for float32
     * and the general {@code im2col_general.cl} (max and min only) for the other types. 3-D
     * windows, channels-last tensors and float64 (direct.cl computes in float only) run the general
     * kernels: {@code im2col_general.cl} for IM2COL, else {@code volume.cl}. IM2COL for average and LP on the general cases is refused by
     * {@link #requireSupported}.
     */
    private static FixedWindowKernels fixedWindow(Algorithm algorithm, PoolSpec spec, Shape in, DType dtype, Launches launches) {
        if (algorithm == Algorithm.IM2COL) {
            return needsGeneralKernels(spec, in, dtype) ? new Im2colGeneralKernels(launches, dtype) : new Im2colKernels(launches);
        }
        if (spec.volumetric() || in.isChannelsLast() || dtype == DType.FLOAT64) {
            return new VolumeKernels(launches, dtype);
        }
        return new DirectKernels(launches, cpuFamily(launches.context()), dtype);
    }

    /** Whether IM2COL needs {@code im2col_general.cl}: {@code im2col.cl} is 2-D float32 channels first only. */
    private static boolean needsGeneralKernels(PoolSpec spec, Shape in, DType dtype) {
        return spec.volumetric() || in.isChannelsLast() || dtype != DType.FLOAT32;
    }

    /**
     * Refuses, before any device work, tensors of {@code dtype} on a device that cannot compute
     * them: float64 needs {@code cl_khr_fp64} among the device's {@code extensions} (space
     * separated). {@code device} names it in the message.
     */
    static void requireDeviceSupports(DType dtype, String device, String extensions) {
        if (dtype == DType.FLOAT64 && !Devices.listsExtension(extensions, "cl_khr_fp64")) {
            throw new IllegalArgumentException("float64 tensors need an OpenCL device with cl_khr_fp64 (double precision), but "
                    + device + " does not report it: use float32 (e.g. Tensor.toType(DType.FLOAT32)) or another device");
        }
    }

    /** {@link #requireDeviceSupports(DType, String, String)} for {@code context}'s device (queried only for float64). */
    static void requireDeviceSupports(DType dtype, ClContext context) {
        if (dtype == DType.FLOAT64) {
            requireDeviceSupports(dtype, context.device().describe(), context.device().extensions());
        }
    }

    /** Refuses, before any device work, a combination the kernels do not implement. */
    static void requireSupported(PoolOp op, Shape in, DType dtype, Algorithm algorithm) {
        if (algorithm == Algorithm.IM2COL && op.spec() != null && !(op instanceof PoolOp.Extremum)
                && needsGeneralKernels(op.spec(), in, dtype)) {
            throw new IllegalArgumentException("the IM2COL algorithm runs 3-D windows, channels-last tensors, float16/bfloat16 and float64 "
                    + "for max and min pooling only: use DIRECT or AUTO for " + dtype.label() + " " + op.name() + " pooling of "
                    + in + " (" + op.spec() + ")");
        }
    }

    /**
     * True for the CPU family of the direct kernels (vector segments), false for the GPU family (a
     * work-item per output): by device type, unless {@value #KERNELS_PROPERTY} forces one, so either
     * family can be checked on any device.
     */
    static boolean cpuFamily(ClContext context) {
        String forced = System.getProperty(KERNELS_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        return switch (forced) {
            case "gpu" -> false;
            case "cpu" -> true;
            case "" -> !context.device().isGpu();
            default -> throw new IllegalArgumentException(KERNELS_PROPERTY + " should be gpu or cpu, but got '" + forced + "'");
        };
    }
}
