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
import org.jocl.Sizeof;

/**
 * The pooling family on an OpenCL device. Host-tensor methods ({@link Pooling}) upload, run and
 * download; the device-tensor overloads keep data on the device between calls, so a forward and
 * its backward need no host round trip. All arguments are validated before any device work.
 * Thread-safe: each operation holds the context's lock while it enqueues.
 */
public final class OpenClPooling implements Pooling, AutoCloseable {
    private final ClContext context;
    private final boolean ownsContext;
    private final Algorithm algorithm;
    private final Workspace workspace;
    private final Im2colKernels im2col;

    /** Uses {@code context}, which stays the caller's to close. */
    public OpenClPooling(ClContext context, Algorithm algorithm) {
        this(context, false, algorithm);
    }

    private OpenClPooling(ClContext context, boolean ownsContext, Algorithm algorithm) {
        this.context = Checks.requireNonNull(context, "context");
        this.ownsContext = ownsContext;
        this.algorithm = Checks.requireNonNull(algorithm, "algorithm");
        this.workspace = new Workspace(context);
        this.im2col = new Im2colKernels(context, workspace);
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
        return new DeviceIndices(indices.shape(), context.upload(indices.data(), "indices " + indices.shape()));
    }

    private DeviceTensor allocateTensor(Shape shape) {
        return new DeviceTensor(shape, context.allocate(shape.elementCount() * Sizeof.cl_float, "tensor " + shape));
    }

    private DevicePoolResult allocateResult(Shape shape) {
        DeviceTensor values = allocateTensor(shape);
        try {
            return new DevicePoolResult(values,
                    new DeviceIndices(shape, context.allocate(shape.elementCount() * Sizeof.cl_int, "indices " + shape)));
        } catch (RuntimeException e) {
            values.close();
            throw e;
        }
    }

    // ---- max and min -----------------------------------------------------------------------

    @Override
    public PoolResult maxPool2d(Tensor input, PoolSpec spec) {
        Validation.pooledShape(input.shape(), spec);
        try (DeviceTensor in = upload(input); DevicePoolResult result = maxPool2d(in, spec)) {
            return result.download();
        }
    }

    @Override
    public PoolResult minPool2d(Tensor input, PoolSpec spec) {
        Validation.pooledShape(input.shape(), spec);
        try (DeviceTensor in = upload(input); DevicePoolResult result = minPool2d(in, spec)) {
            return result.download();
        }
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
        DevicePoolResult result = allocateResult(out);
        try {
            synchronized (context) {
                im2col.extremumForward(input.buffer(), input.shape(), out, spec, min,
                        result.values().buffer(), result.indices().buffer());
            }
            return result;
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
    }

    @Override
    public Tensor maxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape, PoolSpec spec) {
        Validation.requireIndicesInWindows(gradOutput, indices, inputShape, spec);
        try (DeviceTensor dy = upload(gradOutput); DeviceIndices idx = upload(indices);
             DeviceTensor dx = indexedBackward(dy, idx, inputShape, spec)) {
            return dx.download();
        }
    }

    /**
     * Backward of max or min pooling from device-resident indices, as produced by
     * {@link #maxPool2d(DeviceTensor, PoolSpec)} for an input of {@code inputShape}.
     */
    public DeviceTensor maxPool2dBackward(DeviceTensor gradOutput, DeviceIndices indices, Shape inputShape, PoolSpec spec) {
        Checks.requireNonNull(gradOutput, "gradOutput");
        Checks.requireNonNull(indices, "indices");
        Shape out = Validation.pooledShape(inputShape, spec);
        Checks.requireShape("gradOutput", out, gradOutput.shape());
        Checks.requireShape("indices", out, indices.shape());
        return indexedBackward(gradOutput, indices, inputShape, spec);
    }

    private DeviceTensor indexedBackward(DeviceTensor gradOutput, DeviceIndices indices, Shape inputShape, PoolSpec spec) {
        Shape out = spec.outputShape(inputShape);
        DeviceTensor gradInput = allocateTensor(inputShape);
        try {
            synchronized (context) {
                im2col.indexedBackward(gradOutput.buffer(), indices.buffer(), inputShape, out, spec, gradInput.buffer());
            }
            return gradInput;
        } catch (RuntimeException e) {
            gradInput.close();
            throw e;
        }
    }

    // ---- the rest of the family (issue: the whole pooling family) --------------------------

    @Override
    public Tensor avgPool2d(Tensor input, PoolSpec spec, AvgOptions options) {
        throw notYet("average pooling");
    }

    @Override
    public Tensor avgPool2dBackward(Tensor gradOutput, Shape inputShape, PoolSpec spec, AvgOptions options) {
        throw notYet("average pooling backward");
    }

    @Override
    public Tensor lpPool2d(Tensor input, PoolSpec spec, double norm) {
        throw notYet("LP pooling");
    }

    @Override
    public Tensor lpPool2dBackward(Tensor gradOutput, Tensor input, Tensor output, PoolSpec spec, double norm) {
        throw notYet("LP pooling backward");
    }

    @Override
    public PoolResult adaptiveMaxPool2d(Tensor input, int outH, int outW) {
        throw notYet("adaptive max pooling");
    }

    @Override
    public Tensor adaptiveMaxPool2dBackward(Tensor gradOutput, IndexTensor indices, Shape inputShape) {
        throw notYet("adaptive max pooling backward");
    }

    @Override
    public Tensor adaptiveAvgPool2d(Tensor input, int outH, int outW) {
        throw notYet("adaptive average pooling");
    }

    @Override
    public Tensor adaptiveAvgPool2dBackward(Tensor gradOutput, Shape inputShape) {
        throw notYet("adaptive average pooling backward");
    }

    @Override
    public Tensor maxUnpool2d(Tensor values, IndexTensor indices, Shape outputShape) {
        throw notYet("max unpooling");
    }

    @Override
    public Tensor maxUnpool2dBackward(Tensor gradOutput, IndexTensor indices) {
        throw notYet("max unpooling backward");
    }

    private static UnsupportedOperationException notYet(String op) {
        return new UnsupportedOperationException(op + " is not yet implemented on OpenCL; use ReferencePooling");
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
