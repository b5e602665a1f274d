package io.clpool.opencl;

import io.clpool.Validation;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Map;

/**
 * Checks device-resident indices of unknown origin on the device: a kernel finds the first bad
 * position, the host reads back that one int and throws the same error a host-side check would.
 */
final class IndexChecks {
    private static final String FILE = "checks.cl";
    private static final int NONE = Integer.MAX_VALUE;

    private final ClContext context;
    private final Workspace workspace;

    IndexChecks(ClContext context, Workspace workspace) {
        this.context = context;
        this.workspace = workspace;
    }

    /** Every index is a tap of its own window of {@code spec} over an input of {@code in}. */
    void requireInWindows(DeviceIndices indices, Shape in, Shape out, PoolSpec spec) {
        Object[] geometry = Im2colKernels.geometry(in, out, spec);
        int bad = firstBad("check_window_indices", indices, geometry);
        if (bad != NONE) {
            throw Validation.windowIndexError(indices.buffer().readInt(bad), bad, out, in);
        }
    }

    /** Every index lies in its own adaptive window. */
    void requireInAdaptiveWindows(DeviceIndices indices, Shape in, Shape out) {
        int bad = firstBad("check_adaptive_indices", indices, new Object[] {in.h(), in.w(), out.h(), out.w()});
        if (bad != NONE) {
            throw Validation.adaptiveIndexError(indices.buffer().readInt(bad), bad, out, in);
        }
    }

    /** Every index lies inside a plane of {@code plane}. */
    void requireInPlane(DeviceIndices indices, Shape plane) {
        int bad = firstBad("check_plane_indices", indices, new Object[] {plane.planeSize()});
        if (bad != NONE) {
            throw Validation.unpoolIndexError(indices.buffer().readInt(bad), bad, indices.shape(), plane);
        }
    }

    private int firstBad(String kernel, DeviceIndices indices, Object[] geometry) {
        long count = indices.shape().elementCount();
        if (count > NONE) {
            // Positions are reported through an int; larger index buffers never come from host arrays.
            throw new IllegalArgumentException("device index buffers should hold at most " + NONE
                    + " elements to be checked, but got " + count);
        }
        ClBuffer firstBad = workspace.get("index check result", Integer.BYTES);
        firstBad.write(new int[] {NONE});
        ClProgram program = context.program(FILE, KernelSource.options(Map.of()));
        context.runGuarded(program.kernel(kernel), count,
                Im2colKernels.arguments(indices.buffer(), firstBad, count, geometry));
        int[] result = new int[1];
        firstBad.read(result);
        return result[0];
    }
}
