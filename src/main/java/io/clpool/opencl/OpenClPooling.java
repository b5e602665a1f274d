package io.clpool.opencl;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.spec.Checks;
import io.clpool.spec.DType;
import io.clpool.spec.Shape;
import java.util.Arrays;
import org.jocl.CL;
import org.jocl.cl_event;

/**
 * The one-line facade over {@link PoolPlan}s: each call validates, makes a plan for the op and
 * shape (programs come from the context's cache, so only the first call of a geometry builds),
 * runs it, waits, and releases what it allocated. Host-tensor calls ({@link Pooling}) upload and
 * download, splitting the batch when a buffer would exceed the device's maximum allocation;
 * device-tensor calls keep data on the device. A framework that runs a layer many times, or
 * wants asynchronous execution on its own queue, keeps a {@link PoolPlan} instead.
 * Thread-safe.
 */
public final class OpenClPooling implements Pooling, AutoCloseable {
    private final ClContext context;
    private final boolean ownsContext;
    private final Algorithm algorithm;
    private volatile boolean closed;

    /** Uses {@code context}, which stays the caller's to close. */
    public OpenClPooling(ClContext context, Algorithm algorithm) {
        this(context, false, algorithm);
    }

    private OpenClPooling(ClContext context, boolean ownsContext, Algorithm algorithm) {
        this.context = Checks.requireNonNull(context, "context");
        this.ownsContext = ownsContext;
        this.algorithm = Checks.requireNonNull(algorithm, "algorithm");
    }

    /** A backend on the default device ({@link Devices#select()}) that owns its context. */
    public static OpenClPooling createDefault(Algorithm algorithm) {
        Checks.requireNonNull(algorithm, "algorithm");
        return new OpenClPooling(ClContext.createDefault(), true, algorithm);
    }

    public ClContext context() {
        return context;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    @Override
    public String name() {
        return "opencl[" + algorithm + "] " + context.device().describe();
    }

    /** A float32 plan for {@code op} on {@code input} with this facade's algorithm; the caller closes it. */
    public PoolPlan plan(PoolOp op, Shape input) {
        return plan(op, input, DType.FLOAT32);
    }

    /** A plan for {@code op} on {@code input} stored in {@code dtype}, with this facade's algorithm; the caller closes it. */
    public PoolPlan plan(PoolOp op, Shape input, DType dtype) {
        requireOpen();
        return PoolPlan.create(context, op, input, dtype, algorithm);
    }

    // ---- host tensors ----------------------------------------------------------------------------

    @Override
    public PoolResult forward(PoolOp op, Tensor input, IndexTensor indices) {
        requireOpen();
        Checks.requireNonNull(op, "op");
        Checks.requireNonNull(input, "input");
        Shape out = op.outputShape(input.shape());
        op.checkForwardIndices(indices, input.shape());
        int chunk = samplesPerChunk(op, input.shape(), out, input.dtype());
        Tensor values = Tensor.zeros(out, input.dtype());
        IndexTensor winners = op.hasIndices() ? new IndexTensor(out, new int[out.elementCountAsInt()]) : null;
        for (int from = 0; from < input.shape().n(); from += chunk) {
            int to = Math.min(input.shape().n(), from + chunk);
            try (PoolPlan plan = plan(op.forBatchRows(input.shape(), from, to), slice(input.shape(), from, to), input.dtype());
                 DeviceTensor x = DeviceTensor.upload(context, slice(input, from, to));
                 DeviceIndices taken = op.takesIndices() ? DeviceIndices.upload(context, slice(indices, from, to)) : null;
                 DevicePoolResult result = plan.allocateOutputs()) {
                await(op.hasIndices() || op.takesIndices()
                        ? plan.forward(x, result.values(), op.hasIndices() ? result.indices() : taken)
                        : plan.forward(x, result.values()));
                place(storage(result.values().download()), storage(values), from, out);
                if (winners != null) {
                    place(result.indices().download().data(), winners.data(), from, out);
                }
            }
        }
        return new PoolResult(values, winners);
    }

    @Override
    public Tensor backward(PoolOp op, Tensor gradOutput, Tensor input, Tensor output, IndexTensor indices) {
        requireOpen();
        Checks.requireNonNull(op, "op");
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(input, "input");
        PoolOp.BackwardInputs reads = op.backwardInputs();
        if (reads == PoolOp.BackwardInputs.INDICES) {
            Checks.requireNonNull(indices, "indices");
        }
        Shape out = op.checkBackward(input.shape(), gradOutput.shape(), indices == null ? null : indices.shape());
        requireSameType("gradOutput", gradOutput, input);
        if (reads == PoolOp.BackwardInputs.INDICES) {
            op.checkIndices(indices, input.shape(), input.dtype());
        } else if (reads == PoolOp.BackwardInputs.INPUT_AND_OUTPUT) {
            Checks.requireNonNull(output, "output");
            Checks.requireShape("output", out, output.shape());
            requireSameType("output", output, input);
        }
        int chunk = samplesPerChunk(op, input.shape(), out, input.dtype());
        Tensor gradInput = Tensor.zeros(input.shape(), input.dtype());
        for (int from = 0; from < input.shape().n(); from += chunk) {
            int to = Math.min(input.shape().n(), from + chunk);
            try (PoolPlan plan = plan(op.forBatchRows(input.shape(), from, to), slice(input.shape(), from, to), input.dtype());
                 DeviceTensor gy = DeviceTensor.upload(context, slice(gradOutput, from, to));
                 DeviceIndices idx = reads == PoolOp.BackwardInputs.INDICES ? DeviceIndices.upload(context, slice(indices, from, to)) : null;
                 DeviceTensor x = reads == PoolOp.BackwardInputs.INPUT_AND_OUTPUT ? DeviceTensor.upload(context, slice(input, from, to)) : null;
                 DeviceTensor y = reads == PoolOp.BackwardInputs.INPUT_AND_OUTPUT ? DeviceTensor.upload(context, slice(output, from, to)) : null;
                 DeviceTensor gx = DeviceTensor.allocate(context, plan.inputShape(), input.dtype())) {
                await(runBackward(plan, gy, x, y, idx, gx));
                place(storage(gx.download()), storage(gradInput), from, input.shape());
            }
        }
        return gradInput;
    }

    // ---- device tensors --------------------------------------------------------------------------

    /**
     * The forward of {@code op} (any op but unpooling) on a device tensor: new device buffers for
     * the output and, where the op has them, the indices; the caller closes the result. The
     * indices are known to this library as the forward's, so a backward with them needs no check.
     */
    public DevicePoolResult forward(PoolOp op, DeviceTensor input) {
        return forward(op, input, null);
    }

    /** Max unpooling of device-resident values (indices checked on the device first); other ops take null indices. */
    public DevicePoolResult forward(PoolOp op, DeviceTensor input, DeviceIndices indices) {
        requireOpen();
        Checks.requireNonNull(op, "op");
        Checks.requireNonNull(input, "input");
        if (!op.takesIndices() && indices != null) {
            throw new IllegalArgumentException(op.name() + " pooling takes no indices, but got indices of shape " + indices.shape());
        }
        try (PoolPlan plan = plan(op, input.shape(), input.dtype())) {
            if (op.takesIndices()) {
                plan.requireValidIndices(Checks.requireNonNull(indices, "indices"));
            }
            DevicePoolResult result = plan.allocateOutputs();
            try {
                await(op.hasIndices() ? plan.forward(input, result.values(), result.indices())
                        : op.takesIndices() ? plan.forward(input, result.values(), indices)
                        : plan.forward(input, result.values()));
                return result;
            } catch (RuntimeException e) {
                result.close();
                throw e;
            }
        }
    }

    /**
     * The backward of {@code op} on device tensors (what it reads follows
     * {@link PoolOp#backwardInputs()}, as {@link Pooling#backward}; {@code input} gives the shape and,
     * for LP, the values). Indices that did not come from this library's forward for the same op
     * and shape are checked on the device first. Returns a new device tensor the caller closes.
     */
    public DeviceTensor backward(PoolOp op, DeviceTensor gradOutput, DeviceTensor input, DeviceTensor output,
                                 DeviceIndices indices) {
        requireOpen();
        Checks.requireNonNull(op, "op");
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(input, "input");
        try (PoolPlan plan = plan(op, input.shape(), input.dtype())) {
            if (op.backwardInputs() == PoolOp.BackwardInputs.INDICES) {
                plan.requireValidIndices(Checks.requireNonNull(indices, "indices"));
            }
            DeviceTensor gradInput = DeviceTensor.allocate(context, input.shape(), input.dtype());
            try {
                await(runBackward(plan, gradOutput, input, output, indices, gradInput));
                return gradInput;
            } catch (RuntimeException e) {
                gradInput.close();
                throw e;
            }
        }
    }

    private static cl_event runBackward(PoolPlan plan, DeviceTensor gradOutput, DeviceTensor input, DeviceTensor output,
                                        DeviceIndices indices, DeviceTensor gradInput) {
        return switch (plan.op().backwardInputs()) {
            case INDICES -> plan.backward(gradOutput, indices, gradInput);
            case NONE -> plan.backward(gradOutput, gradInput);
            case INPUT_AND_OUTPUT -> plan.backward(gradOutput, input, Checks.requireNonNull(output, "output"), gradInput);
        };
    }

    /** Waits for {@code event} and releases it. */
    private static void await(cl_event event) {
        try {
            ClException.check(CL.clWaitForEvents(1, new cl_event[] {event}), "clWaitForEvents");
        } finally {
            CL.clReleaseEvent(event);
        }
    }

    /** Host tensors of one call share the input's type. */
    private static void requireSameType(String name, Tensor tensor, Tensor input) {
        if (tensor.dtype() != input.dtype()) {
            throw Checks.invalid(name + " type", input.dtype().label() + " (the input's)", tensor.dtype().label());
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("OpenClPooling used after close");
        }
    }

    // ---- batch splitting -------------------------------------------------------------------------

    /**
     * Samples per chunk such that no buffer of one chunk (input, output, indices, and IM2COL's
     * column buffer of up to {@code 8·taps} bytes per output element, {@code taps} = kd·kh·kw: both
     * im2col.cl's and, for 3-D, channels-last and half max/min, im2col_general.cl's) exceeds the context's
     * maximum allocation. At least 1: a single sample too large fails when its plan is made, with
     * a message naming the sizes.
     */
    private int samplesPerChunk(PoolOp op, Shape input, Shape output, DType dtype) {
        // int32 indices or the type's elements, whichever is wider; a column cell is a value and an int source
        long widest = Math.max(Integer.BYTES, dtype.bytes());
        long perSample = Math.max(input.elementCount(), output.elementCount()) / input.n() * widest;
        if (algorithm == Algorithm.IM2COL && op.spec() != null) {
            long cell = (dtype == DType.FLOAT64 ? Double.BYTES : Float.BYTES) + Integer.BYTES;
            perSample = Math.max(perSample, Checks.saturatingMultiply(output.elementCount() / output.n() * cell, op.spec().taps()));
        }
        long fit = context.maxAllocBytes() / Math.max(1, perSample);
        return (int) Math.max(1, Math.min(input.n(), fit));
    }

    private static Shape slice(Shape shape, int from, int to) {
        return from == 0 && to == shape.n() ? shape : shape.withBatch(to - from);
    }

    private static Tensor slice(Tensor tensor, int from, int to) {
        if (from == 0 && to == tensor.shape().n()) {
            return tensor;
        }
        int perSample = (int) (tensor.shape().elementCount() / tensor.shape().n());
        if (tensor.dtype() == DType.FLOAT64) {
            return Tensor.ofDoubles(slice(tensor.shape(), from, to), Arrays.copyOfRange(tensor.doubles(), from * perSample, to * perSample));
        }
        return new Tensor(slice(tensor.shape(), from, to), Arrays.copyOfRange(tensor.data(), from * perSample, to * perSample),
                tensor.dtype());
    }

    /** A host tensor's element array: its doubles (float64) or floats. */
    private static Object storage(Tensor tensor) {
        return tensor.dtype() == DType.FLOAT64 ? tensor.doubles() : tensor.data();
    }

    private static IndexTensor slice(IndexTensor tensor, int from, int to) {
        if (from == 0 && to == tensor.shape().n()) {
            return tensor;
        }
        int perSample = (int) (tensor.shape().elementCount() / tensor.shape().n());
        return new IndexTensor(slice(tensor.shape(), from, to), Arrays.copyOfRange(tensor.data(), from * perSample, to * perSample));
    }

    /** Copies a chunk's result, which starts at sample {@code from}, into the whole result of {@code shape}. */
    private static void place(Object chunk, Object whole, int from, Shape shape) {
        int perSample = (int) (shape.elementCount() / shape.n());
        System.arraycopy(chunk, 0, whole, from * perSample, java.lang.reflect.Array.getLength(chunk));
    }

    /** Marks this facade closed, and closes the context when it created it. */
    @Override
    public void close() {
        closed = true;
        if (ownsContext) {
            context.close();
        }
    }
}
