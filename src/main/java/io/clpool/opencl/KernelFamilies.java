package io.clpool.opencl;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.opencl.Launches.Slot;
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

    static void record(PoolOp op, Shape in, Shape out, Algorithm algorithm, Launches forward, Launches backward) {
        if (op instanceof PoolOp.Extremum) {
            boolean min = op instanceof PoolOp.Min;
            fixedWindow(algorithm, op.spec(), forward).extremumForward(Slot.INPUT, in, out, op.spec(), min, Slot.OUTPUT, Slot.INDICES);
            fixedWindow(algorithm, op.spec(), backward).indexedBackward(Slot.GRAD_OUTPUT, Slot.INDICES, in, out, op.spec(), Slot.GRAD_INPUT);
        } else if (op instanceof PoolOp.Avg avg) {
            fixedWindow(algorithm, op.spec(), forward).avgForward(Slot.INPUT, in, out, avg.spec(), avg.options(), Slot.OUTPUT);
            fixedWindow(algorithm, op.spec(), backward).avgBackward(Slot.GRAD_OUTPUT, in, out, avg.spec(), avg.options(), Slot.GRAD_INPUT);
        } else if (op instanceof PoolOp.Lp lp) {
            float norm = (float) lp.norm();
            fixedWindow(algorithm, op.spec(), forward).lpForward(Slot.INPUT, in, out, lp.spec(), norm, Slot.OUTPUT);
            fixedWindow(algorithm, op.spec(), backward).lpBackward(Slot.GRAD_OUTPUT, Slot.INPUT, Slot.OUTPUT, in, out, lp.spec(), norm,
                    Slot.GRAD_INPUT);
        } else if (op instanceof PoolOp.AdaptiveMax) {
            new AdaptiveKernels(forward).maxForward(Slot.INPUT, in, out, Slot.OUTPUT, Slot.INDICES);
            new AdaptiveKernels(backward).maxBackward(Slot.GRAD_OUTPUT, Slot.INDICES, in, out, Slot.GRAD_INPUT);
        } else if (op instanceof PoolOp.AdaptiveAvg) {
            new AdaptiveKernels(forward).avgForward(Slot.INPUT, in, out, Slot.OUTPUT);
            new AdaptiveKernels(backward).avgBackward(Slot.GRAD_OUTPUT, in, out, Slot.GRAD_INPUT);
        } else if (op instanceof PoolOp.FractionalMax fractional) {
            FractionalKernels.record(fractional, in, out, forward, backward);
        } else if (op instanceof PoolOp.MaxUnpool) {
            new UnpoolKernels(forward).forward(Slot.INPUT, Slot.INDICES, in, out, Slot.OUTPUT);
            new UnpoolKernels(backward).backward(Slot.GRAD_OUTPUT, Slot.INDICES, in, out, Slot.GRAD_INPUT);
        } else {
            throw new IllegalStateException("no kernels for " + op);
        }
    }

    /**
     * 3-D windows: the volume kernels (DIRECT; IM2COL is refused for them by {@link #requireSupported}).
     * 2-D: IM2COL when asked for; otherwise DIRECT, the fastest for every fixed-window op.
     */
    private static FixedWindowKernels fixedWindow(Algorithm algorithm, io.clpool.spec.PoolSpec spec, Launches launches) {
        if (spec.volumetric()) {
            return new VolumeKernels(launches);
        }
        return algorithm == Algorithm.IM2COL ? new Im2colKernels(launches) : new DirectKernels(launches, cpuFamily(launches.context()));
    }

    /** Refuses, before any device work, a combination the kernels do not implement. */
    static void requireSupported(PoolOp op, Algorithm algorithm) {
        if (algorithm == Algorithm.IM2COL && op.spec() != null && op.spec().volumetric()) {
            throw new IllegalArgumentException("the IM2COL algorithm is 2-D only: use DIRECT or AUTO for 3-D " + op.name()
                    + " pooling (" + op.spec() + ")");
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
