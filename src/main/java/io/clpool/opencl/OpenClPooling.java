package io.clpool.opencl;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.Validation;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.Checks;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jocl.Sizeof;

/**
 * The pooling family on an OpenCL device. Host-tensor methods ({@link Pooling}) upload, run and
 * download, splitting the batch into chunks when a buffer would exceed the device's maximum
 * allocation; the device-tensor overloads keep data on the device between calls, so a forward and
 * its backward need no host round trip, and the {@code ...Into} overloads write into buffers the
 * caller allocated once ({@link #allocate}), so a training loop allocates nothing per call. All
 * arguments are validated before any device work, and a failed call releases every buffer it
 * allocated. Thread-safe: each operation holds the context's lock while it enqueues.
 */
public final class OpenClPooling implements Pooling, AutoCloseable {
    private final ClContext context;
    private final boolean ownsContext;
    private final Algorithm algorithm;
    private final Workspace workspace;
    private final FixedWindowKernels fixedWindow;
    private final AdaptiveKernels adaptive;
    private final UnpoolKernels unpool;
    private final IndexChecks indexChecks;

    /** Uses {@code context}, which stays the caller's to close. */
    public OpenClPooling(ClContext context, Algorithm algorithm) {
        this(context, false, algorithm);
    }

    private OpenClPooling(ClContext context, boolean ownsContext, Algorithm algorithm) {
        this.context = Checks.requireNonNull(context, "context");
        this.ownsContext = ownsContext;
        this.algorithm = Checks.requireNonNull(algorithm, "algorithm");
        this.workspace = new Workspace(context);
        this.fixedWindow = switch (algorithm) {
            case IM2COL -> new Im2colKernels(context, workspace);
            case AUTO, DIRECT -> new DirectKernels(context); // AUTO: DIRECT is the fastest for every fixed-window op
        };
        this.adaptive = new AdaptiveKernels(context);
        this.unpool = new UnpoolKernels(context, workspace);
        this.indexChecks = new IndexChecks(context, workspace);
    }

    /** A backend on the default device ({@link Devices#select()}) that owns its context. */
    public static OpenClPooling createDefault(Algorithm algorithm) {
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

    // ---- transfers -------------------------------------------------------------------------

    public DeviceTensor upload(Tensor tensor) {
        Checks.requireNonNull(tensor, "tensor");
        return new DeviceTensor(tensor.shape(), context.upload(tensor.data(), "tensor " + tensor.shape()));
    }

    public DeviceIndices upload(IndexTensor indices) {
        Checks.requireNonNull(indices, "indices");
        return new DeviceIndices(indices.shape(), context.upload(indices.data(), "indices " + indices.shape()), null);
    }

    /** An uninitialized float tensor on the device, for the {@code ...Into} overloads to fill. */
    public DeviceTensor allocate(Shape shape) {
        Checks.requireNonNull(shape, "shape");
        return allocateTensor(shape);
    }

    /** Uninitialized values and indices on the device, for {@link #maxPool2dInto} and {@link #minPool2dInto}. */
    public DevicePoolResult allocateIndexed(Shape shape) {
        DeviceTensor values = allocate(shape);
        try {
            return new DevicePoolResult(values,
                    new DeviceIndices(shape, context.allocate(shape.elementCount() * Sizeof.cl_int, "indices " + shape), null));
        } catch (RuntimeException e) {
            values.close();
            throw e;
        }
    }

    // ---- max and min -----------------------------------------------------------------------

    @Override
    public PoolResult maxPool2d(Tensor input, PoolSpec spec) {
        Shape out = Validation.pooledShape(input.shape(), spec);
        return splitIndexed(out, samplesPerChunk(input.shape(), out, spec),
                (from, to) -> indexedOnDevice(slice(input, from, to), in -> maxPool2d(in, spec)));
    }

    @Override
    public PoolResult minPool2d(Tensor input, PoolSpec spec) {
        Shape out = Validation.pooledShape(input.shape(), spec);
        return splitIndexed(out, samplesPerChunk(input.shape(), out, spec),
                (from, to) -> indexedOnDevice(slice(input, from, to), in -> minPool2d(in, spec)));
    }

    public DevicePoolResult maxPool2d(DeviceTensor input, PoolSpec spec) {
        return extremumPool(input, spec, false);
    }

    public DevicePoolResult minPool2d(DeviceTensor input, PoolSpec spec) {
        return extremumPool(input, spec, true);
    }

    private DevicePoolResult extremumPool(DeviceTensor input, PoolSpec spec, boolean min) {
        Checks.requireNonNull(input, "input");
        Shape out = Validation.pooledShape(input.shape(), spec);
        return produceIndexed(out, windowOrigin(input.shape(), spec), (values, indices) ->
                fixedWindow.extremumForward(input.buffer(), input.shape(), out, spec, min, values, indices));
    }

    /** Max pooling into {@code result} (shaped as the pooled output), which the caller allocated once. */
    public void maxPool2dInto(DeviceTensor input, PoolSpec spec, DevicePoolResult result) {
        extremumPoolInto(input, spec, false, result);
    }

    /** Min pooling into {@code result} (shaped as the pooled output), which the caller allocated once. */
    public void minPool2dInto(DeviceTensor input, PoolSpec spec, DevicePoolResult result) {
        extremumPoolInto(input, spec, true, result);
    }

    private void extremumPoolInto(DeviceTensor input, PoolSpec spec, boolean min, DevicePoolResult result) {
        Checks.requireNonNull(input, "input");
        Checks.requireNonNull(result, "result");
        Shape out = Validation.pooledShape(input.shape(), spec);
        Checks.requireShape("result values", out, result.values().shape());
        Checks.requireShape("result indices", out, result.indices().shape());
        requireDistinct(input.buffer(), result.values().buffer(), result.indices().buffer());
        synchronized (context) {
            result.indices().madeFor(null, false);
            fixedWindow.extremumForward(input.buffer(), input.shape(), out, spec, min, result.values().buffer(),
                    result.indices().buffer());
            result.indices().madeFor(windowOrigin(input.shape(), spec), true);
        }
    }

    @Override
    public Tensor maxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape, PoolSpec spec) {
        Validation.requireIndicesInWindows(gradOutput, indices, inputShape, spec);
        Shape out = spec.outputShape(inputShape);
        return splitTensor(inputShape, samplesPerChunk(inputShape, out, spec), (from, to) -> {
            try (DeviceIndices idx = upload(slice(indices, from, to))) {
                return onDevice(slice(gradOutput, from, to), dy -> indexedBackward(dy, idx, slice(inputShape, from, to), spec));
            }
        });
    }

    /**
     * Backward of max or min pooling into {@code gradInput}, whose shape is the forward's input
     * shape; {@code indices} as produced by {@link #maxPool2dInto} or {@link #maxPool2d(DeviceTensor, PoolSpec)}.
     */
    public void maxPool2dBackwardInto(DeviceTensor gradOutput, DeviceIndices indices, PoolSpec spec, DeviceTensor gradInput) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(indices, "indices");
        Checks.requireNonNull(gradInput, "gradInput");
        Shape inputShape = gradInput.shape();
        Shape out = Validation.pooledShape(inputShape, spec);
        Checks.requireShape("gradOutput", out, gradOutput.shape());
        Checks.requireShape("indices", out, indices.shape());
        requireDistinct(gradInput.buffer(), gradOutput.buffer(), indices.buffer());
        synchronized (context) {
            requireValidIndices(indices, inputShape, out, spec);
            fixedWindow.indexedBackward(gradOutput.buffer(), indices.buffer(), inputShape, out, spec, gradInput.buffer());
        }
    }

    /**
     * Backward of max or min pooling from device-resident indices. Indices that
     * {@link #maxPool2d(DeviceTensor, PoolSpec)} made for this input shape and spec are used as
     * they are; any others (uploaded, or made for another geometry) are first checked on the
     * device, and a bad one throws {@link IllegalArgumentException} naming it.
     */
    public DeviceTensor maxPool2dBackward(DeviceTensor gradOutput, DeviceIndices indices, Shape inputShape, PoolSpec spec) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(indices, "indices");
        Shape out = Validation.pooledShape(inputShape, spec);
        Checks.requireShape("gradOutput", out, gradOutput.shape());
        Checks.requireShape("indices", out, indices.shape());
        synchronized (context) {
            requireValidIndices(indices, inputShape, out, spec);
        }
        return indexedBackward(gradOutput, indices, inputShape, spec);
    }

    /** Trusts indices a forward made for this geometry; checks any others on the device. Caller holds the lock. */
    private void requireValidIndices(DeviceIndices indices, Shape inputShape, Shape out, PoolSpec spec) {
        if (!indices.madeFor(windowOrigin(inputShape, spec))) {
            indexChecks.requireInWindows(indices, inputShape, out, spec);
        }
    }

    private DeviceTensor indexedBackward(DeviceTensor gradOutput, DeviceIndices indices, Shape inputShape, PoolSpec spec) {
        Shape out = spec.outputShape(inputShape);
        return produce(inputShape, gradInput ->
                fixedWindow.indexedBackward(gradOutput.buffer(), indices.buffer(), inputShape, out, spec, gradInput));
    }

    // ---- average -----------------------------------------------------------------------------

    @Override
    public Tensor avgPool2d(Tensor input, PoolSpec spec, AvgOptions options) {
        Shape out = Validation.avgPooledShape(input.shape(), spec, options);
        return splitTensor(out, samplesPerChunk(input.shape(), out, spec),
                (from, to) -> onDevice(slice(input, from, to), in -> avgPool2d(in, spec, options)));
    }

    /** Average pooling into {@code output} (shaped as the pooled output), which the caller allocated once. */
    public void avgPool2dInto(DeviceTensor input, PoolSpec spec, AvgOptions options, DeviceTensor output) {
        Checks.requireNonNull(input, "input");
        Checks.requireNonNull(output, "output");
        Shape out = Validation.avgPooledShape(input.shape(), spec, options);
        Checks.requireShape("output", out, output.shape());
        requireDistinct(output.buffer(), input.buffer());
        synchronized (context) {
            fixedWindow.avgForward(input.buffer(), input.shape(), out, spec, options, output.buffer());
        }
    }

    public DeviceTensor avgPool2d(DeviceTensor input, PoolSpec spec, AvgOptions options) {
        Checks.requireNonNull(input, "input");
        Shape out = Validation.avgPooledShape(input.shape(), spec, options);
        return produce(out, output -> fixedWindow.avgForward(input.buffer(), input.shape(), out, spec, options, output));
    }

    @Override
    public Tensor avgPool2dBackward(Tensor gradOutput, Shape inputShape, PoolSpec spec, AvgOptions options) {
        Shape out = Validation.avgPooledShape(inputShape, spec, options);
        Validation.requireGradOutput(gradOutput, inputShape, spec);
        return splitTensor(inputShape, samplesPerChunk(inputShape, out, spec), (from, to) -> onDevice(slice(gradOutput, from, to),
                dy -> avgPool2dBackward(dy, slice(inputShape, from, to), spec, options)));
    }

    /** Backward of average pooling into {@code gradInput}, whose shape is the forward's input shape. */
    public void avgPool2dBackwardInto(DeviceTensor gradOutput, PoolSpec spec, AvgOptions options, DeviceTensor gradInput) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(gradInput, "gradInput");
        Shape out = Validation.avgPooledShape(gradInput.shape(), spec, options);
        Checks.requireShape("gradOutput", out, gradOutput.shape());
        requireDistinct(gradInput.buffer(), gradOutput.buffer());
        synchronized (context) {
            fixedWindow.avgBackward(gradOutput.buffer(), gradInput.shape(), out, spec, options, gradInput.buffer());
        }
    }

    public DeviceTensor avgPool2dBackward(DeviceTensor gradOutput, Shape inputShape, PoolSpec spec, AvgOptions options) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Shape out = Validation.avgPooledShape(inputShape, spec, options);
        Checks.requireShape("gradOutput", out, gradOutput.shape());
        return produce(inputShape, gradInput ->
                fixedWindow.avgBackward(gradOutput.buffer(), inputShape, out, spec, options, gradInput));
    }

    // ---- LP ----------------------------------------------------------------------------------

    @Override
    public Tensor lpPool2d(Tensor input, PoolSpec spec, double norm) {
        Shape out = Validation.lpPooledShape(input.shape(), spec, norm);
        return splitTensor(out, samplesPerChunk(input.shape(), out, spec),
                (from, to) -> onDevice(slice(input, from, to), in -> lpPool2d(in, spec, norm)));
    }

    /** LP pooling into {@code output} (shaped as the pooled output), which the caller allocated once. */
    public void lpPool2dInto(DeviceTensor input, PoolSpec spec, double norm, DeviceTensor output) {
        Checks.requireNonNull(input, "input");
        Checks.requireNonNull(output, "output");
        Shape out = Validation.lpPooledShape(input.shape(), spec, norm);
        Checks.requireShape("output", out, output.shape());
        requireDistinct(output.buffer(), input.buffer());
        synchronized (context) {
            fixedWindow.lpForward(input.buffer(), input.shape(), out, spec, (float) norm, output.buffer());
        }
    }

    public DeviceTensor lpPool2d(DeviceTensor input, PoolSpec spec, double norm) {
        Checks.requireNonNull(input, "input");
        Shape out = Validation.lpPooledShape(input.shape(), spec, norm);
        return produce(out, output -> fixedWindow.lpForward(input.buffer(), input.shape(), out, spec, (float) norm, output));
    }

    @Override
    public Tensor lpPool2dBackward(Tensor gradOutput, Tensor input, Tensor output, PoolSpec spec, double norm) {
        Checks.requireNonNull(input, "input");
        Checks.requireNonNull(output, "output");
        Shape out = Validation.lpPooledShape(input.shape(), spec, norm);
        Validation.requireGradOutput(gradOutput, input.shape(), spec);
        Checks.requireShape("output", out, output.shape());
        return splitTensor(input.shape(), samplesPerChunk(input.shape(), out, spec), (from, to) -> {
            try (DeviceTensor x = upload(slice(input, from, to)); DeviceTensor y = upload(slice(output, from, to))) {
                return onDevice(slice(gradOutput, from, to), dy -> lpPool2dBackward(dy, x, y, spec, norm));
            }
        });
    }

    /** Backward of LP pooling into {@code gradInput}, shaped as {@code input}; {@code output} is the forward's result. */
    public void lpPool2dBackwardInto(DeviceTensor gradOutput, DeviceTensor input, DeviceTensor output, PoolSpec spec,
                                     double norm, DeviceTensor gradInput) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(input, "input");
        Checks.requireNonNull(output, "output");
        Checks.requireNonNull(gradInput, "gradInput");
        Shape out = Validation.lpPooledShape(input.shape(), spec, norm);
        Checks.requireShape("gradOutput", out, gradOutput.shape());
        Checks.requireShape("output", out, output.shape());
        Checks.requireShape("gradInput", input.shape(), gradInput.shape());
        requireDistinct(gradInput.buffer(), gradOutput.buffer(), input.buffer(), output.buffer());
        synchronized (context) {
            fixedWindow.lpBackward(gradOutput.buffer(), input.buffer(), output.buffer(), input.shape(), out, spec,
                    (float) norm, gradInput.buffer());
        }
    }

    /** Backward of LP pooling; {@code output} is the forward's result for {@code input}. */
    public DeviceTensor lpPool2dBackward(DeviceTensor gradOutput, DeviceTensor input, DeviceTensor output, PoolSpec spec,
                                         double norm) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(input, "input");
        Checks.requireNonNull(output, "output");
        Shape out = Validation.lpPooledShape(input.shape(), spec, norm);
        Checks.requireShape("gradOutput", out, gradOutput.shape());
        Checks.requireShape("output", out, output.shape());
        return produce(input.shape(), gradInput -> fixedWindow.lpBackward(gradOutput.buffer(), input.buffer(),
                output.buffer(), input.shape(), out, spec, (float) norm, gradInput));
    }

    // ---- adaptive ----------------------------------------------------------------------------

    @Override
    public PoolResult adaptiveMaxPool2d(Tensor input, int outH, int outW) {
        Validation.adaptiveShape(input.shape(), outH, outW);
        return indexedOnDevice(input, in -> adaptiveMaxPool2d(in, outH, outW));
    }

    public DevicePoolResult adaptiveMaxPool2d(DeviceTensor input, int outH, int outW) {
        Checks.requireNonNull(input, "input");
        Shape out = Validation.adaptiveShape(input.shape(), outH, outW);
        return produceIndexed(out, adaptiveOrigin(input.shape(), out), (values, indices) -> adaptive.maxForward(input.buffer(), input.shape(), out, values, indices));
    }

    @Override
    public Tensor adaptiveMaxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape) {
        Validation.requireIndicesInAdaptiveWindows(gradOutput, indices, inputShape);
        try (DeviceIndices idx = upload(indices)) {
            return onDevice(gradOutput, dy -> adaptiveMaxBackward(dy, idx, inputShape));
        }
    }

    public DeviceTensor adaptiveMaxPool2dBackward(DeviceTensor gradOutput, DeviceIndices indices, Shape inputShape) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(indices, "indices");
        Shape out = Validation.adaptiveShape(inputShape, gradOutput.shape().h(), gradOutput.shape().w());
        Checks.requireShape("gradOutput", out, gradOutput.shape());
        Checks.requireShape("indices", out, indices.shape());
        if (!indices.madeFor(adaptiveOrigin(inputShape, out))) {
            synchronized (context) {
                indexChecks.requireInAdaptiveWindows(indices, inputShape, out);
            }
        }
        return adaptiveMaxBackward(gradOutput, indices, inputShape);
    }

    private DeviceTensor adaptiveMaxBackward(DeviceTensor gradOutput, DeviceIndices indices, Shape inputShape) {
        Shape out = gradOutput.shape();
        return produce(inputShape, gradInput ->
                adaptive.maxBackward(gradOutput.buffer(), indices.buffer(), inputShape, out, gradInput));
    }

    @Override
    public Tensor adaptiveAvgPool2d(Tensor input, int outH, int outW) {
        Validation.adaptiveShape(input.shape(), outH, outW);
        return onDevice(input, in -> adaptiveAvgPool2d(in, outH, outW));
    }

    public DeviceTensor adaptiveAvgPool2d(DeviceTensor input, int outH, int outW) {
        Checks.requireNonNull(input, "input");
        Shape out = Validation.adaptiveShape(input.shape(), outH, outW);
        return produce(out, output -> adaptive.avgForward(input.buffer(), input.shape(), out, output));
    }

    @Override
    public Tensor adaptiveAvgPool2dBackward(Tensor gradOutput, Shape inputShape) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Shape out = Validation.adaptiveShape(inputShape, gradOutput.shape().h(), gradOutput.shape().w());
        Checks.requireShape("gradOutput", out, gradOutput.shape()); // before the upload, not after it
        return onDevice(gradOutput, dy -> adaptiveAvgPool2dBackward(dy, inputShape));
    }

    public DeviceTensor adaptiveAvgPool2dBackward(DeviceTensor gradOutput, Shape inputShape) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Shape out = Validation.adaptiveShape(inputShape, gradOutput.shape().h(), gradOutput.shape().w());
        Checks.requireShape("gradOutput", out, gradOutput.shape());
        return produce(inputShape, gradInput -> adaptive.avgBackward(gradOutput.buffer(), inputShape, out, gradInput));
    }

    // ---- unpooling ---------------------------------------------------------------------------

    @Override
    public Tensor maxUnpool2d(Tensor values, IndexTensor indices, Shape outputShape) {
        Checks.requireNonNull(values, "values");
        Validation.requireUnpoolIndices(values.shape(), indices, outputShape);
        try (DeviceIndices idx = upload(indices)) {
            return onDevice(values, v -> unpoolChecked(v, idx, outputShape));
        }
    }

    @Override
    public Tensor maxUnpool2dBackward(Tensor gradOutput, IndexTensor indices) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Validation.requireUnpoolIndices(indices.shape(), indices, gradOutput.shape());
        try (DeviceIndices idx = upload(indices)) {
            return onDevice(gradOutput, dy -> unpoolBackwardChecked(dy, idx));
        }
    }

    /**
     * Max unpooling of device-resident values; the indices are checked on the device to lie in
     * the output plane, and a bad one throws {@link IllegalArgumentException} naming it.
     */
    public DeviceTensor maxUnpool2d(DeviceTensor values, DeviceIndices indices, Shape outputShape) {
        Checks.requireNonNull(values, "values");
        Checks.requireNonNull(indices, "indices");
        Validation.requireUnpoolShapes(values.shape(), indices.shape(), outputShape);
        synchronized (context) {
            indexChecks.requireInPlane(indices, outputShape);
        }
        return unpoolChecked(values, indices, outputShape);
    }

    /** Backward of max unpooling on the device, indices checked as in {@link #maxUnpool2d(DeviceTensor, DeviceIndices, Shape)}. */
    public DeviceTensor maxUnpool2dBackward(DeviceTensor gradOutput, DeviceIndices indices) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(indices, "indices");
        Validation.requireUnpoolShapes(indices.shape(), indices.shape(), gradOutput.shape());
        synchronized (context) {
            indexChecks.requireInPlane(indices, gradOutput.shape());
        }
        return unpoolBackwardChecked(gradOutput, indices);
    }

    private DeviceTensor unpoolChecked(DeviceTensor values, DeviceIndices indices, Shape outputShape) {
        return produce(outputShape, output ->
                unpool.forward(values.buffer(), indices.buffer(), values.shape(), outputShape, output));
    }

    private DeviceTensor unpoolBackwardChecked(DeviceTensor gradOutput, DeviceIndices indices) {
        return produce(indices.shape(), gradValues ->
                unpool.backward(gradOutput.buffer(), indices.buffer(), indices.shape(), gradOutput.shape(), gradValues));
    }

    // ---- batch splitting ---------------------------------------------------------------------

    /** Runs the samples {@code [from, to)} of a batch. */
    @FunctionalInterface
    private interface Chunk<R> {
        R run(int from, int to);
    }

    /**
     * Samples per chunk such that no buffer of one chunk (input, output, indices, and IM2COL's
     * column buffer of up to {@code 8·kh·kw} bytes per output element) exceeds the context's
     * maximum allocation. At least 1: a single sample too large still fails, with the allocation's
     * message naming the sizes.
     */
    private int samplesPerChunk(Shape input, Shape output, PoolSpec spec) {
        long perSample = Math.max(input.elementCount(), output.elementCount()) / input.n() * Sizeof.cl_float;
        if (fixedWindow instanceof Im2colKernels) {
            perSample = Math.max(perSample, output.elementCount() / output.n() * 8L * spec.taps());
        }
        long fit = context.maxAllocBytes() / Math.max(1, perSample);
        return (int) Math.max(1, Math.min(input.n(), fit));
    }

    private static Tensor splitTensor(Shape result, int samplesPerChunk, Chunk<Tensor> chunk) {
        if (samplesPerChunk >= result.n()) {
            return chunk.run(0, result.n());
        }
        float[] data = new float[result.elementCountAsInt()];
        int perSample = (int) (result.elementCount() / result.n());
        for (int from = 0; from < result.n(); from += samplesPerChunk) {
            Tensor part = chunk.run(from, Math.min(result.n(), from + samplesPerChunk));
            System.arraycopy(part.data(), 0, data, from * perSample, part.data().length);
        }
        return new Tensor(result, data);
    }

    private static PoolResult splitIndexed(Shape result, int samplesPerChunk, Chunk<PoolResult> chunk) {
        if (samplesPerChunk >= result.n()) {
            return chunk.run(0, result.n());
        }
        float[] values = new float[result.elementCountAsInt()];
        int[] indices = new int[values.length];
        int perSample = (int) (result.elementCount() / result.n());
        for (int from = 0; from < result.n(); from += samplesPerChunk) {
            PoolResult part = chunk.run(from, Math.min(result.n(), from + samplesPerChunk));
            System.arraycopy(part.values().data(), 0, values, from * perSample, part.values().data().length);
            System.arraycopy(part.indices().data(), 0, indices, from * perSample, part.indices().data().length);
        }
        return new PoolResult(new Tensor(result, values), new IndexTensor(result, indices));
    }

    private static Shape slice(Shape shape, int from, int to) {
        return from == 0 && to == shape.n() ? shape : new Shape(to - from, shape.c(), shape.h(), shape.w());
    }

    private static Tensor slice(Tensor tensor, int from, int to) {
        if (from == 0 && to == tensor.shape().n()) {
            return tensor;
        }
        int perSample = (int) (tensor.shape().elementCount() / tensor.shape().n());
        return new Tensor(slice(tensor.shape(), from, to), Arrays.copyOfRange(tensor.data(), from * perSample, to * perSample));
    }

    private static IndexTensor slice(IndexTensor tensor, int from, int to) {
        if (from == 0 && to == tensor.shape().n()) {
            return tensor;
        }
        int perSample = (int) (tensor.shape().elementCount() / tensor.shape().n());
        return new IndexTensor(slice(tensor.shape(), from, to),
                Arrays.copyOfRange(tensor.data(), from * perSample, to * perSample));
    }

    // ---- plumbing ----------------------------------------------------------------------------

    /** A destination must not alias a source: kernels read and write in one pass. */
    private static void requireDistinct(ClBuffer destination, ClBuffer... sources) {
        for (ClBuffer source : sources) {
            if (source == destination) {
                throw new IllegalArgumentException("the destination of an ...Into call should be a buffer of its own, "
                        + "but got one that is also an argument it reads");
            }
        }
    }

    /** Uploads {@code input}, runs {@code op} on the device and downloads its result; frees both buffers. */
    private Tensor onDevice(Tensor input, Function<DeviceTensor, DeviceTensor> op) {
        try (DeviceTensor in = upload(input); DeviceTensor out = op.apply(in)) {
            return out.download();
        }
    }

    private PoolResult indexedOnDevice(Tensor input, Function<DeviceTensor, DevicePoolResult> op) {
        try (DeviceTensor in = upload(input); DevicePoolResult out = op.apply(in)) {
            return out.download();
        }
    }

    private DeviceTensor allocateTensor(Shape shape) {
        return new DeviceTensor(shape, context.allocate(shape.elementCount() * Sizeof.cl_float, "tensor " + shape));
    }

    /** Allocates a result of {@code shape}, fills it under the context's lock, and frees it if that fails. */
    private DeviceTensor produce(Shape shape, Consumer<ClBuffer> fill) {
        DeviceTensor result = allocateTensor(shape);
        try {
            synchronized (context) {
                fill.accept(result.buffer());
            }
            return result;
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
    }

    /** The geometry a fixed-window forward's indices are valid for. */
    private static Object windowOrigin(Shape input, PoolSpec spec) {
        return List.of(input, spec);
    }

    /** The geometry an adaptive forward's indices are valid for. */
    private static Object adaptiveOrigin(Shape input, Shape out) {
        return List.of(input, out);
    }

    private DevicePoolResult produceIndexed(Shape shape, Object origin, BiConsumer<ClBuffer, ClBuffer> fill) {
        DeviceTensor values = allocateTensor(shape);
        DevicePoolResult result;
        try {
            result = new DevicePoolResult(values,
                    new DeviceIndices(shape, context.allocate(shape.elementCount() * Sizeof.cl_int, "indices " + shape), origin));
        } catch (RuntimeException e) {
            values.close();
            throw e;
        }
        try {
            synchronized (context) {
                fill.accept(result.values().buffer(), result.indices().buffer());
            }
            return result;
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
    }

    /** Releases the scratch buffers, and the context when this backend created it. */
    @Override
    public void close() {
        synchronized (context) {
            workspace.close();
        }
        if (ownsContext) {
            context.close();
        }
    }
}
