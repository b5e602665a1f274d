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
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jocl.Sizeof;

/**
 * The pooling family on an OpenCL device. Host-tensor methods ({@link Pooling}) upload, run and
 * download; the device-tensor overloads keep data on the device between calls, so a forward and
 * its backward need no host round trip. All arguments are validated before any device work, and
 * a failed call releases every buffer it allocated. Thread-safe: each operation holds the
 * context's lock while it enqueues.
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
        this.fixedWindow = new Im2colKernels(context, workspace);
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

    // ---- max and min -----------------------------------------------------------------------

    @Override
    public PoolResult maxPool2d(Tensor input, PoolSpec spec) {
        Validation.pooledShape(input.shape(), spec);
        return indexedOnDevice(input, in -> maxPool2d(in, spec));
    }

    @Override
    public PoolResult minPool2d(Tensor input, PoolSpec spec) {
        Validation.pooledShape(input.shape(), spec);
        return indexedOnDevice(input, in -> minPool2d(in, spec));
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

    @Override
    public Tensor maxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape, PoolSpec spec) {
        Validation.requireIndicesInWindows(gradOutput, indices, inputShape, spec);
        try (DeviceIndices idx = upload(indices)) {
            return onDevice(gradOutput, dy -> indexedBackward(dy, idx, inputShape, spec));
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
        if (!indices.madeFor(windowOrigin(inputShape, spec))) {
            synchronized (context) {
                indexChecks.requireInWindows(indices, inputShape, out, spec);
            }
        }
        return indexedBackward(gradOutput, indices, inputShape, spec);
    }

    private DeviceTensor indexedBackward(DeviceTensor gradOutput, DeviceIndices indices, Shape inputShape, PoolSpec spec) {
        Shape out = spec.outputShape(inputShape);
        return produce(inputShape, gradInput ->
                fixedWindow.indexedBackward(gradOutput.buffer(), indices.buffer(), inputShape, out, spec, gradInput));
    }

    // ---- average -----------------------------------------------------------------------------

    @Override
    public Tensor avgPool2d(Tensor input, PoolSpec spec, AvgOptions options) {
        Validation.avgPooledShape(input.shape(), spec, options);
        return onDevice(input, in -> avgPool2d(in, spec, options));
    }

    public DeviceTensor avgPool2d(DeviceTensor input, PoolSpec spec, AvgOptions options) {
        Checks.requireNonNull(input, "input");
        Shape out = Validation.avgPooledShape(input.shape(), spec, options);
        return produce(out, output -> fixedWindow.avgForward(input.buffer(), input.shape(), out, spec, options, output));
    }

    @Override
    public Tensor avgPool2dBackward(Tensor gradOutput, Shape inputShape, PoolSpec spec, AvgOptions options) {
        Validation.avgPooledShape(inputShape, spec, options);
        Validation.requireGradOutput(gradOutput, inputShape, spec);
        return onDevice(gradOutput, dy -> avgPool2dBackward(dy, inputShape, spec, options));
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
        Validation.lpPooledShape(input.shape(), spec, norm);
        return onDevice(input, in -> lpPool2d(in, spec, norm));
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
        try (DeviceTensor x = upload(input); DeviceTensor y = upload(output)) {
            return onDevice(gradOutput, dy -> lpPool2dBackward(dy, x, y, spec, norm));
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

    // ---- plumbing ----------------------------------------------------------------------------

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
