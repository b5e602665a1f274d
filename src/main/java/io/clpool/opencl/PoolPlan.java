package io.clpool.opencl;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.spec.Checks;
import io.clpool.spec.DType;
import io.clpool.spec.Shape;
import io.clpool.opencl.Launches.Slot;
import java.util.List;
import org.jocl.cl_event;
import org.jocl.cl_mem;

/**
 * One pooling layer, described once and executed many times: what a framework keeps per layer.
 * {@link #create} does everything that can fail or take time (validation, the choice of
 * algorithm, program builds, kernel lookup, launch sizes, workspace allocation); afterwards
 * {@code forward} and {@code backward} only bind buffers and enqueue on the context's queue. They
 * never wait for the device, read back, allocate or build: each waits on the device for the
 * events in {@code waitFor}, and returns an event for its completion that the caller owns and
 * must release ({@code CL.clReleaseEvent}).
 *
 * <p>The call forms follow the op ({@link PoolOp#hasIndices()}, {@link PoolOp#backwardInputs()}):
 * <ul>
 * <li>max, min, adaptive max: {@link #forward(DeviceTensor, DeviceTensor, DeviceIndices, cl_event...)}
 * writes values and indices; {@link #backward(DeviceTensor, DeviceIndices, DeviceTensor, cl_event...)}
 * reads them;</li>
 * <li>average, adaptive average: {@link #forward(DeviceTensor, DeviceTensor, cl_event...)} and
 * {@link #backward(DeviceTensor, DeviceTensor, cl_event...)};</li>
 * <li>LP: {@link #forward(DeviceTensor, DeviceTensor, cl_event...)} and
 * {@link #backward(DeviceTensor, DeviceTensor, DeviceTensor, DeviceTensor, cl_event...)}, which
 * reads the forward's input and output;</li>
 * <li>max unpooling: the forward reads the values ({@code input}) and their {@code indices} and
 * writes the unpooled {@code output}; the backward reads the unpooled gradient and the indices
 * and writes the values' gradient.</li>
 * </ul>
 * A call with the wrong form, a tensor of the wrong shape, a buffer of another context or queue,
 * a closed buffer, or one buffer as both a source and the destination throws
 * {@link IllegalArgumentException} (a closed plan: {@link IllegalStateException}) before anything
 * is enqueued.
 *
 * <p>Indices are trusted on the execution path, since checking them would mean waiting for the
 * device: an index outside its window (or, for unpooling, outside the output plane) never makes
 * a kernel touch memory outside its buffers; such an index contributes nothing. Indices from
 * elsewhere can be checked first with {@link #requireValidIndices}, which waits.
 *
 * <p>Calls are thread-safe. On an in-order queue (clpool's own, or a wrapped one) calls run in
 * the order they were made; on an out-of-order queue, pass the previous call's event when two
 * calls of one plan could otherwise overlap, since they share the plan's workspace.
 */
public final class PoolPlan implements AutoCloseable {
    private final ClContext context;
    private final PoolOp op;
    private final Shape inputShape;
    private final Shape outputShape;
    private final DType dtype;
    private final Algorithm algorithm;
    private final Workspace workspace;
    private final Launches forwardLaunches;
    private final Launches backwardLaunches;
    private final Object origin;
    private volatile boolean closed;

    private PoolPlan(ClContext context, PoolOp op, Shape inputShape, Shape outputShape, DType dtype, Algorithm algorithm) {
        this.context = context;
        this.op = op;
        this.inputShape = inputShape;
        this.outputShape = outputShape;
        this.dtype = dtype;
        this.algorithm = algorithm;
        this.origin = List.of(op, inputShape);
        this.workspace = new Workspace(context);
        try {
            this.forwardLaunches = new Launches(context, workspace);
            this.backwardLaunches = new Launches(context, workspace);
            KernelFamilies.record(op, inputShape, outputShape, dtype, algorithm, forwardLaunches, backwardLaunches);
        } catch (RuntimeException | Error e) {
            workspace.close();
            throw e;
        }
    }

    /** A float32 plan with the fastest algorithm ({@link Algorithm#AUTO}). */
    public static PoolPlan create(ClContext context, PoolOp op, Shape input) {
        return create(context, op, input, DType.FLOAT32, Algorithm.AUTO);
    }

    /** A float32 plan with {@code algorithm}. */
    public static PoolPlan create(ClContext context, PoolOp op, Shape input, Algorithm algorithm) {
        return create(context, op, input, DType.FLOAT32, algorithm);
    }

    /** A plan for tensors stored in {@code dtype}, with the fastest algorithm. */
    public static PoolPlan create(ClContext context, PoolOp op, Shape input, DType dtype) {
        return create(context, op, input, dtype, Algorithm.AUTO);
    }

    /**
     * Validates {@code op} on {@code input} (whose layout every tensor of the plan shares) for
     * tensors stored in {@code dtype}, builds its programs and allocates its workspace. Every
     * invalid argument throws {@link IllegalArgumentException} naming the value before any device
     * work; a closed context throws {@link IllegalStateException}.
     */
    public static PoolPlan create(ClContext context, PoolOp op, Shape input, DType dtype, Algorithm algorithm) {
        Checks.requireNonNull(context, "context");
        Checks.requireNonNull(op, "op");
        Checks.requireNonNull(input, "input shape");
        Checks.requireNonNull(dtype, "dtype");
        Checks.requireNonNull(algorithm, "algorithm");
        Shape output = op.outputShape(input); // every argument's check first: a bad one fails alike on any context
        KernelFamilies.requireSupported(op, input, dtype, algorithm);
        if (!context.isOpen()) {
            throw new IllegalStateException("OpenCL context used after close");
        }
        KernelFamilies.requireDeviceSupports(dtype, context);
        requireFits(context, "the input", DeviceTensor.bytes(input, dtype));
        requireFits(context, "the output", DeviceTensor.bytes(output, dtype));
        if (op.hasIndices()) {
            requireFits(context, "the indices", DeviceIndices.bytes(output));
        }
        return new PoolPlan(context, op, input, output, dtype, algorithm);
    }

    private static void requireFits(ClContext context, String what, long bytes) {
        if (bytes > context.maxAllocBytes()) {
            throw new IllegalArgumentException(what + " needs " + bytes + " bytes, but the device's maximum allocation is "
                    + context.maxAllocBytes() + " bytes (CL_DEVICE_MAX_MEM_ALLOC_SIZE of " + context.device().name().trim()
                    + "); split the batch");
        }
    }

    public PoolOp op() {
        return op;
    }

    public ClContext context() {
        return context;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** The type every tensor of this plan is stored in (indices are always int32). */
    public DType dtype() {
        return dtype;
    }

    /** The forward's input shape (for unpooling, the values' shape). */
    public Shape inputShape() {
        return inputShape;
    }

    /** The forward's output shape. */
    public Shape outputShape() {
        return outputShape;
    }

    /** Device memory this plan holds besides the caller's tensors (IM2COL's column buffers, unpooling's owner buffer). */
    public long workspaceBytes() {
        return workspace.bytes();
    }

    /**
     * New device buffers for the forward's results: the output, and the indices where the op has
     * them (else null). The caller closes them.
     */
    public DevicePoolResult allocateOutputs() {
        requireOpen();
        DeviceTensor values = DeviceTensor.allocate(context, outputShape, dtype);
        try {
            return new DevicePoolResult(values, op.hasIndices() ? DeviceIndices.allocate(context, outputShape) : null);
        } catch (RuntimeException e) {
            values.close();
            throw e;
        }
    }

    // ---- execution -----------------------------------------------------------------------------

    /**
     * Forward of max, min and adaptive max (writes {@code output} and {@code indices}), or of max
     * unpooling (reads the values {@code input} and their {@code indices}, writes {@code output}).
     */
    public cl_event forward(DeviceTensor input, DeviceTensor output, DeviceIndices indices, cl_event... waitFor) {
        requireOpen();
        if (!op.hasIndices() && !op.takesIndices()) {
            throw wrongForm("forward(input, output, waitFor...)", "has no indices");
        }
        cl_mem[] bindings = new cl_mem[Slot.values().length];
        bind(bindings, Slot.INPUT, "input", input, inputShape);
        bind(bindings, Slot.OUTPUT, "output", output, outputShape);
        bind(bindings, Slot.INDICES, "indices", indices, op.takesIndices() ? inputShape : outputShape);
        requireDistinct(bindings, op.takesIndices() ? List.of(Slot.OUTPUT) : List.of(Slot.OUTPUT, Slot.INDICES));
        cl_event[] waits = requireEvents(waitFor);
        if (op.hasIndices()) {
            indices.recordOrigin(null); // until the forward is enqueued, they hold whatever they held
        }
        cl_event done = forwardLaunches.enqueue(bindings, waits);
        if (op.hasIndices()) {
            indices.recordOrigin(origin);
        }
        return done;
    }

    /** Forward of average, LP and adaptive average pooling: writes {@code output}. */
    public cl_event forward(DeviceTensor input, DeviceTensor output, cl_event... waitFor) {
        requireOpen();
        if (op.hasIndices() || op.takesIndices()) {
            throw wrongForm("forward(input, output, indices, waitFor...)", op.hasIndices() ? "writes indices" : "reads indices");
        }
        cl_mem[] bindings = new cl_mem[Slot.values().length];
        bind(bindings, Slot.INPUT, "input", input, inputShape);
        bind(bindings, Slot.OUTPUT, "output", output, outputShape);
        requireDistinct(bindings, List.of(Slot.OUTPUT));
        return forwardLaunches.enqueue(bindings, requireEvents(waitFor));
    }

    /**
     * Backward of max, min and adaptive max pooling ({@code gradOutput} and the forward's
     * {@code indices} in, {@code gradInput} of the input's shape out), or of max unpooling (the
     * unpooled gradient and the indices in, the values' gradient out).
     */
    public cl_event backward(DeviceTensor gradOutput, DeviceIndices indices, DeviceTensor gradInput, cl_event... waitFor) {
        requireOpen();
        if (op.backwardInputs() != PoolOp.BackwardInputs.INDICES) {
            throw wrongForm(op.backwardInputs() == PoolOp.BackwardInputs.NONE ? "backward(gradOutput, gradInput, waitFor...)"
                    : "backward(gradOutput, input, output, gradInput, waitFor...)", "reads no indices");
        }
        cl_mem[] bindings = new cl_mem[Slot.values().length];
        bind(bindings, Slot.GRAD_OUTPUT, "gradOutput", gradOutput, outputShape);
        bind(bindings, Slot.INDICES, "indices", indices, op.takesIndices() ? inputShape : outputShape);
        bind(bindings, Slot.GRAD_INPUT, "gradInput", gradInput, inputShape);
        requireDistinct(bindings, List.of(Slot.GRAD_INPUT));
        return backwardLaunches.enqueue(bindings, requireEvents(waitFor));
    }

    /** Backward of average and adaptive average pooling. */
    public cl_event backward(DeviceTensor gradOutput, DeviceTensor gradInput, cl_event... waitFor) {
        requireOpen();
        if (op.backwardInputs() != PoolOp.BackwardInputs.NONE) {
            throw wrongForm(op.backwardInputs() == PoolOp.BackwardInputs.INDICES ? "backward(gradOutput, indices, gradInput, waitFor...)"
                    : "backward(gradOutput, input, output, gradInput, waitFor...)", "reads more than the gradient");
        }
        cl_mem[] bindings = new cl_mem[Slot.values().length];
        bind(bindings, Slot.GRAD_OUTPUT, "gradOutput", gradOutput, outputShape);
        bind(bindings, Slot.GRAD_INPUT, "gradInput", gradInput, inputShape);
        requireDistinct(bindings, List.of(Slot.GRAD_INPUT));
        return backwardLaunches.enqueue(bindings, requireEvents(waitFor));
    }

    /** Backward of LP pooling: reads the gradient, the forward's {@code input} and its {@code output}. */
    public cl_event backward(DeviceTensor gradOutput, DeviceTensor input, DeviceTensor output, DeviceTensor gradInput,
                             cl_event... waitFor) {
        requireOpen();
        if (op.backwardInputs() != PoolOp.BackwardInputs.INPUT_AND_OUTPUT) {
            throw wrongForm(op.backwardInputs() == PoolOp.BackwardInputs.INDICES ? "backward(gradOutput, indices, gradInput, waitFor...)"
                    : "backward(gradOutput, gradInput, waitFor...)", "does not read its input and output");
        }
        cl_mem[] bindings = new cl_mem[Slot.values().length];
        bind(bindings, Slot.GRAD_OUTPUT, "gradOutput", gradOutput, outputShape);
        bind(bindings, Slot.INPUT, "input", input, inputShape);
        bind(bindings, Slot.OUTPUT, "output", output, outputShape);
        bind(bindings, Slot.GRAD_INPUT, "gradInput", gradInput, inputShape);
        requireDistinct(bindings, List.of(Slot.GRAD_INPUT));
        return backwardLaunches.enqueue(bindings, requireEvents(waitFor));
    }

    /**
     * Checks on the device that every index is legal for this plan (inside its own window; for
     * unpooling, inside the output plane), and throws {@link IllegalArgumentException} naming the
     * first bad one. Waits for the device: a validation step for indices from elsewhere, not part
     * of the execution path. Indices this plan's own forward wrote are trusted without a check.
     */
    public void requireValidIndices(DeviceIndices indices) {
        requireOpen();
        Shape expected = op.takesIndices() ? inputShape : outputShape;
        if (op.backwardInputs() != PoolOp.BackwardInputs.INDICES) {
            throw new IllegalArgumentException(op.name() + " pooling has no indices to check");
        }
        requireMine("indices", indices == null ? null : indices.buffer(), expected, indices == null ? null : indices.shape());
        if (indices.madeFor(origin)) {
            return;
        }
        synchronized (context) {
            IndexChecks checks = new IndexChecks(context, workspace);
            if (inputShape.isChannelsLast() || (inputShape.volumetric() && !(op instanceof PoolOp.MaxUnpool))) {
                // checks.cl is 2-D and channels first: other indices are checked on the host, from a read-back copy.
                op.checkIndices(indices.download(), inputShape, dtype);
            } else if (op instanceof PoolOp.MaxUnpool) {
                checks.requireInPlane(indices, outputShape);
            } else if (op instanceof PoolOp.AdaptiveMax) {
                checks.requireInAdaptiveWindows(indices, inputShape, outputShape);
            } else if (op instanceof PoolOp.FractionalMax fractional) {
                // The windows depend on the samples: checked on the host, from a read-back copy.
                fractional.checkIndices(indices.download(), inputShape, dtype);
            } else {
                checks.requireInWindows(indices, inputShape, outputShape, op.spec());
            }
        }
    }

    /** True when this plan's forward wrote {@code indices} for its own geometry, so they need no check. */
    boolean madeIndices(DeviceIndices indices) {
        return indices.madeFor(origin);
    }

    // ---- checks ---------------------------------------------------------------------------------

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("pooling plan (" + op + " on " + inputShape + ") used after close");
        }
        if (!context.isOpen()) {
            throw new IllegalStateException("OpenCL context used after close");
        }
    }

    private IllegalArgumentException wrongForm(String form, String why) {
        return new IllegalArgumentException(op.name() + " pooling " + why + ": call " + form);
    }

    private void bind(cl_mem[] bindings, Slot slot, String name, Object tensor, Shape expected) {
        ClBuffer buffer;
        Shape shape;
        if (tensor instanceof DeviceTensor t) {
            buffer = t.buffer();
            shape = t.shape();
            if (t.dtype() != dtype) {
                throw Checks.invalid(name + " type", dtype.label() + " (the plan's)", t.dtype().label());
            }
        } else if (tensor instanceof DeviceIndices i) {
            buffer = i.buffer();
            shape = i.shape();
        } else {
            buffer = null;
            shape = null;
        }
        requireMine(name, buffer, expected, shape);
        bindings[slot.ordinal()] = buffer.mem();
    }

    /** Non-null, open, of {@code expected} shape, and on this plan's context and queue. */
    private void requireMine(String name, ClBuffer buffer, Shape expected, Shape actual) {
        if (buffer == null) {
            throw new IllegalArgumentException(name + " should not be null");
        }
        if (!buffer.isOpen()) {
            throw new IllegalArgumentException(name + " should be open, but got a tensor used after close");
        }
        Checks.requireShape(name, expected, actual);
        ClContext owner = buffer.context();
        if (owner != context && (!ClContext.sameObject(owner.handle(), context.handle())
                || !ClContext.sameObject(owner.commandQueue(), context.commandQueue()))) {
            throw new IllegalArgumentException(name + " should belong to the plan's OpenCL context and queue, "
                    + "but got a buffer of another context (" + owner.device().name().trim() + ")");
        }
    }

    /** No buffer a call writes ({@code written}) may also be bound to another slot. */
    private static void requireDistinct(cl_mem[] bindings, List<Slot> written) {
        for (Slot destination : written) {
            cl_mem target = bindings[destination.ordinal()];
            for (Slot other : Slot.values()) {
                cl_mem mem = bindings[other.ordinal()];
                if (other != destination && mem != null && ClContext.sameObject(mem, target)) {
                    throw new IllegalArgumentException(slotName(destination) + " should be a buffer of its own, but got the same "
                            + "buffer as " + slotName(other));
                }
            }
        }
    }

    private static String slotName(Slot slot) {
        return switch (slot) {
            case INPUT -> "input";
            case OUTPUT -> "output";
            case INDICES -> "indices";
            case GRAD_OUTPUT -> "gradOutput";
            case GRAD_INPUT -> "gradInput";
        };
    }

    private static cl_event[] requireEvents(cl_event[] waitFor) {
        if (waitFor == null) {
            return new cl_event[0];
        }
        for (int i = 0; i < waitFor.length; i++) {
            if (waitFor[i] == null) {
                throw new IllegalArgumentException("waitFor[" + i + "] should not be null");
            }
        }
        return waitFor;
    }

    /** Releases the plan's workspace. Commands already enqueued still complete. Closing twice is harmless. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            synchronized (context) {
                workspace.close();
            }
        }
    }

    @Override
    public String toString() {
        return "PoolPlan[" + op + " on " + inputShape + " -> " + outputShape + ", " + dtype.label() + ", " + algorithm + "]";
    }
}
