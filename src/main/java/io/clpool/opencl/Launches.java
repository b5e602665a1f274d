package io.clpool.opencl;

import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * A recorded sequence of device commands that a plan replays on every call: the kernel families
 * record their launches once, when the plan is made, with {@link Slot}s where the call's buffers
 * go; {@link #enqueue} binds the buffers and enqueues, chaining the commands by events, and
 * returns the last command's event. Nothing on the replay path allocates device memory, builds a
 * program or waits.
 */
final class Launches {

    /** The buffers a call binds: what a kernel family's recorded arguments name. */
    enum Slot { INPUT, OUTPUT, INDICES, GRAD_OUTPUT, GRAD_INPUT }

    /** One recorded command. */
    private sealed interface Step permits KernelStep, FillStep {}

    /** A kernel launch; scalar arguments are turned into pointers once, when recorded. */
    private record KernelStep(ClKernel kernel, long[] global, long[] local, Object[] args) implements Step {}

    /** Fills the first {@code bytes} of a buffer with zero bytes. */
    private record FillStep(Object buffer, long bytes) implements Step {}

    /** A scalar kernel argument, converted once; {@code value} identifies it. */
    private record Scalar(Object value, long size, Pointer pointer) {}

    private final ClContext context;
    private final Workspace workspace;
    private final List<Step> steps = new ArrayList<>();

    Launches(ClContext context, Workspace workspace) {
        this.context = context;
        this.workspace = workspace;
    }

    ClContext context() {
        return context;
    }

    /** A scratch buffer of {@code bytes} owned by the plan, allocated now (never on the replay path). */
    ClBuffer workspace(String purpose, long bytes) {
        return workspace.get(purpose, bytes);
    }

    /**
     * Records a launch over {@code global} in work-groups of {@code local} (null: the runtime
     * chooses). Arguments are {@link Slot}, {@link ClBuffer}, Integer, Long, Float, Double or
     * {@link ClKernel.LocalBytes} (a {@code __local} buffer of each work-group). A range with
     * a zero extent records nothing: it has no work, and OpenCL rejects it.
     */
    void run(ClKernel kernel, long[] global, long[] local, Object... args) {
        for (long size : global) {
            if (size == 0) {
                return;
            }
        }
        Object[] converted = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            converted[i] = convert(kernel, i, args[i]);
        }
        steps.add(new KernelStep(kernel, global.clone(), local == null ? null : local.clone(), converted));
    }

    /**
     * Records a 1-D launch that covers {@code count} items, rounded up to whole work-groups of the
     * kernel's {@link ClKernel#defaultWorkGroupSize()} (the kernel returns early past {@code count}).
     * One fixed work-group size per kernel: POCL compiles a kernel anew for each size it meets.
     */
    void runGuarded(ClKernel kernel, long count, Object... args) {
        long group = kernel.defaultWorkGroupSize();
        run(kernel, new long[] {ceilToMultiple(count, group)}, new long[] {group}, args);
    }

    /** {@code count} rounded up to a multiple of {@code group}, refusing a range that would not fit a size_t. */
    static long ceilToMultiple(long count, long group) {
        long groups = count / group + (count % group == 0 ? 0 : 1);
        return Math.multiplyExact(groups, group);
    }

    /** Records a fill of the first {@code bytes} of {@code buffer} (a {@link Slot} or {@link ClBuffer}) with zeros. */
    void zero(Object buffer, long bytes) {
        if (bytes > 0) {
            steps.add(new FillStep(buffer, bytes));
        }
    }

    boolean isEmpty() {
        return steps.isEmpty();
    }

    private static Object convert(ClKernel kernel, int index, Object arg) {
        if (arg instanceof Slot || arg instanceof ClBuffer || arg instanceof ClKernel.LocalBytes) {
            return arg;
        } else if (arg instanceof Integer value) {
            return new Scalar(value, Sizeof.cl_int, Pointer.to(new int[] {value}));
        } else if (arg instanceof Long value) {
            return new Scalar(value, Sizeof.cl_long, Pointer.to(new long[] {value}));
        } else if (arg instanceof Float value) {
            return new Scalar(value, Sizeof.cl_float, Pointer.to(new float[] {value}));
        } else if (arg instanceof Double value) { // float64's compute type (window.cl: compute_t)
            return new Scalar(value, Sizeof.cl_double, Pointer.to(new double[] {value}));
        }
        throw new IllegalArgumentException("kernel " + kernel.name() + " argument " + index + " has unsupported type " + arg);
    }

    /**
     * Enqueues the recorded commands with {@code bindings} (indexed by {@link Slot#ordinal()}),
     * the first after {@code waitFor}, each later one after the one before; returns the last
     * command's event, which the caller owns. Holds the context's lock while it sets kernel
     * arguments (shared state of a {@code cl_kernel}) and enqueues; never waits for the device.
     */
    cl_event enqueue(cl_mem[] bindings, cl_event[] waitFor) {
        synchronized (context) {
            cl_event previous = null;
            try {
                if (steps.isEmpty()) {
                    previous = new cl_event();
                    ClException.check(CL.clEnqueueMarkerWithWaitList(context.queue(), count(waitFor), list(waitFor), previous),
                            "clEnqueueMarkerWithWaitList");
                    return handOut(previous);
                }
                for (Step step : steps) {
                    cl_event[] waits = previous == null ? waitFor : new cl_event[] {previous};
                    cl_event event = new cl_event();
                    if (step instanceof KernelStep launch) {
                        setArgs(launch, bindings);
                        ClException.check(CL.clEnqueueNDRangeKernel(context.queue(), launch.kernel().handle(),
                                launch.global().length, null, launch.global(), launch.local(), count(waits), list(waits), event),
                                "clEnqueueNDRangeKernel(" + launch.kernel().name() + ")");
                    } else {
                        FillStep fill = (FillStep) step;
                        ClException.check(CL.clEnqueueFillBuffer(context.queue(), mem(fill.buffer(), bindings),
                                Pointer.to(new int[] {0}), Sizeof.cl_int, 0, fill.bytes(), count(waits), list(waits), event),
                                "clEnqueueFillBuffer");
                    }
                    retire(previous);
                    previous = event;
                }
                return handOut(previous);
            } catch (RuntimeException e) {
                retire(previous);
                throw e;
            }
        }
    }

    /** An intermediate event is done with once the next command waits on it: kept for timing, else released. */
    private void retire(cl_event event) {
        if (event != null) {
            context.timeEvent(event);
        }
    }

    /** The last event goes to the caller; while timing, the context keeps a reference of its own. */
    private cl_event handOut(cl_event event) {
        if (context.profiling()) {
            CL.clRetainEvent(event);
            context.keepForTiming(event);
        }
        return event;
    }

    /** Sets the arguments that differ from what the kernel holds (the kernel remembers what it was given). */
    private static void setArgs(KernelStep launch, cl_mem[] bindings) {
        Object[] args = launch.args();
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Scalar scalar) {
                launch.kernel().setScalar(i, scalar.value(), scalar.size(), scalar.pointer());
            } else if (args[i] instanceof ClKernel.LocalBytes local) {
                launch.kernel().setLocal(i, local);
            } else {
                launch.kernel().setMem(i, mem(args[i], bindings));
            }
        }
    }

    private static cl_mem mem(Object buffer, cl_mem[] bindings) {
        if (buffer instanceof Slot slot) {
            cl_mem mem = bindings[slot.ordinal()];
            if (mem == null) {
                throw new IllegalStateException("no buffer bound to " + slot);
            }
            return mem;
        }
        return ((ClBuffer) buffer).mem();
    }

    private static int count(cl_event[] events) {
        return events == null ? 0 : events.length;
    }

    private static cl_event[] list(cl_event[] events) {
        return events == null || events.length == 0 ? null : events;
    }
}
