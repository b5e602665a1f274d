package io.clpool.support;

import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.opencl.DeviceIndices;
import io.clpool.opencl.DevicePoolResult;
import io.clpool.opencl.DeviceTensor;
import io.clpool.opencl.OpenClPooling;
import io.clpool.opencl.PoolPlan;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import org.jocl.CL;
import org.jocl.cl_event;

/**
 * The per-op calls the tests were written against, spelled as the op-driven API's calls: each is
 * one {@link PoolOp} factory and one {@link Pooling}, {@link OpenClPooling} or {@link PoolPlan}
 * call, so the tests exercise exactly the public API. Shapes stand in for an input where only its
 * shape matters (a zero tensor of that shape is passed).
 */
public final class Calls {
    private Calls() {}

    // ---- host tensors, any backend --------------------------------------------------------------

    public static PoolResult maxPool2d(Pooling p, Tensor x, PoolSpec spec) {
        return p.forward(PoolOp.max(spec), x);
    }

    public static PoolResult minPool2d(Pooling p, Tensor x, PoolSpec spec) {
        return p.forward(PoolOp.min(spec), x);
    }

    public static Tensor maxPool2dBackward(Pooling p, Tensor gy, IndexTensor idx, Shape in, PoolSpec spec) {
        return p.backward(PoolOp.max(spec), gy, Tensor.zeros(in), null, idx);
    }

    public static Tensor minPool2dBackward(Pooling p, Tensor gy, IndexTensor idx, Shape in, PoolSpec spec) {
        return p.backward(PoolOp.min(spec), gy, Tensor.zeros(in), null, idx);
    }

    public static Tensor avgPool2d(Pooling p, Tensor x, PoolSpec spec, AvgOptions options) {
        return p.forward(PoolOp.avg(spec, options), x).values();
    }

    public static Tensor avgPool2dBackward(Pooling p, Tensor gy, Shape in, PoolSpec spec, AvgOptions options) {
        return p.backward(PoolOp.avg(spec, options), gy, Tensor.zeros(in), null, null);
    }

    public static Tensor lpPool2d(Pooling p, Tensor x, PoolSpec spec, double norm) {
        return p.forward(PoolOp.lp(spec, norm), x).values();
    }

    public static Tensor lpPool2dBackward(Pooling p, Tensor gy, Tensor x, Tensor y, PoolSpec spec, double norm) {
        return p.backward(PoolOp.lp(spec, norm), gy, x, y, null);
    }

    public static PoolResult adaptiveMaxPool2d(Pooling p, Tensor x, int oh, int ow) {
        return p.forward(PoolOp.adaptiveMax(oh, ow), x);
    }

    public static Tensor adaptiveMaxPool2dBackward(Pooling p, Tensor gy, IndexTensor idx, Shape in) {
        return p.backward(PoolOp.adaptiveMax(gy.shape().h(), gy.shape().w()), gy, Tensor.zeros(in), null, idx);
    }

    public static Tensor adaptiveAvgPool2d(Pooling p, Tensor x, int oh, int ow) {
        return p.forward(PoolOp.adaptiveAvg(oh, ow), x).values();
    }

    public static Tensor adaptiveAvgPool2dBackward(Pooling p, Tensor gy, Shape in) {
        return p.backward(PoolOp.adaptiveAvg(gy.shape().h(), gy.shape().w()), gy, Tensor.zeros(in), null, null);
    }

    public static PoolResult globalMaxPool2d(Pooling p, Tensor x) {
        return p.forward(PoolOp.globalMax(), x);
    }

    public static Tensor globalAvgPool2d(Pooling p, Tensor x) {
        return p.forward(PoolOp.globalAvg(), x).values();
    }

    public static Tensor maxUnpool2d(Pooling p, Tensor values, IndexTensor idx, Shape out) {
        requireSameBatch(values.shape(), out);
        return p.forward(PoolOp.maxUnpool(out.h(), out.w()), values, idx).values();
    }

    public static Tensor maxUnpool2dBackward(Pooling p, Tensor gy, IndexTensor idx) {
        return p.backward(PoolOp.maxUnpool(gy.shape().h(), gy.shape().w()), gy, Tensor.zeros(idx.shape()), null, idx);
    }

    /** The old API took a whole output shape; the op takes its spatial size, so N and C are checked here as the old API did. */
    private static void requireSameBatch(Shape values, Shape out) {
        if (values.n() != out.n() || values.c() != out.c()) {
            throw new IllegalArgumentException("the unpooling output batch and channels should be " + values.n() + "x" + values.c()
                    + " as the input's, but got outputShape: " + out);
        }
    }

    // ---- device tensors -------------------------------------------------------------------------

    public static DeviceTensor upload(OpenClPooling pool, Tensor t) {
        return DeviceTensor.upload(pool.context(), t);
    }

    public static DeviceIndices upload(OpenClPooling pool, IndexTensor t) {
        return DeviceIndices.upload(pool.context(), t);
    }

    public static DeviceTensor allocate(OpenClPooling pool, Shape shape) {
        return DeviceTensor.allocate(pool.context(), shape);
    }

    public static DevicePoolResult maxPool2d(OpenClPooling pool, DeviceTensor x, PoolSpec spec) {
        return pool.forward(PoolOp.max(spec), x);
    }

    public static DevicePoolResult minPool2d(OpenClPooling pool, DeviceTensor x, PoolSpec spec) {
        return pool.forward(PoolOp.min(spec), x);
    }

    public static DeviceTensor maxPool2dBackward(OpenClPooling pool, DeviceTensor gy, DeviceIndices idx, Shape in, PoolSpec spec) {
        try (DeviceTensor shapeOnly = DeviceTensor.allocate(pool.context(), in)) {
            return pool.backward(PoolOp.max(spec), gy, shapeOnly, null, idx);
        }
    }

    public static DeviceTensor avgPool2d(OpenClPooling pool, DeviceTensor x, PoolSpec spec, AvgOptions options) {
        return pool.forward(PoolOp.avg(spec, options), x).values(); // no indices: the values are all it holds
    }

    public static DeviceTensor lpPool2d(OpenClPooling pool, DeviceTensor x, PoolSpec spec, double norm) {
        return pool.forward(PoolOp.lp(spec, norm), x).values();
    }

    public static DevicePoolResult adaptiveMaxPool2d(OpenClPooling pool, DeviceTensor x, int oh, int ow) {
        return pool.forward(PoolOp.adaptiveMax(oh, ow), x);
    }

    public static DeviceTensor adaptiveMaxPool2dBackward(OpenClPooling pool, DeviceTensor gy, DeviceIndices idx, Shape in) {
        try (DeviceTensor shapeOnly = DeviceTensor.allocate(pool.context(), in)) {
            return pool.backward(PoolOp.adaptiveMax(gy.shape().h(), gy.shape().w()), gy, shapeOnly, null, idx);
        }
    }

    public static DeviceTensor maxUnpool2d(OpenClPooling pool, DeviceTensor values, DeviceIndices idx, Shape out) {
        requireSameBatch(values.shape(), out);
        return pool.forward(PoolOp.maxUnpool(out.h(), out.w()), values, idx).values();
    }

    public static DeviceTensor maxUnpool2dBackward(OpenClPooling pool, DeviceTensor gy, DeviceIndices idx) {
        try (DeviceTensor shapeOnly = DeviceTensor.allocate(pool.context(), idx.shape())) {
            return pool.backward(PoolOp.maxUnpool(gy.shape().h(), gy.shape().w()), gy, shapeOnly, null, idx);
        }
    }

    // ---- the "Into" calls: a plan over caller-allocated buffers ------------------------------------

    public static void maxPool2dInto(OpenClPooling pool, DeviceTensor x, PoolSpec spec, DevicePoolResult result) {
        try (PoolPlan plan = pool.plan(PoolOp.max(spec), x.shape())) {
            await(plan.forward(x, result.values(), result.indices()));
        }
    }

    public static void maxPool2dBackwardInto(OpenClPooling pool, DeviceTensor gy, DeviceIndices idx, PoolSpec spec, DeviceTensor gx) {
        try (PoolPlan plan = pool.plan(PoolOp.max(spec), gx.shape())) {
            plan.requireValidIndices(idx);
            await(plan.backward(gy, idx, gx));
        }
    }

    public static void avgPool2dInto(OpenClPooling pool, DeviceTensor x, PoolSpec spec, AvgOptions options, DeviceTensor y) {
        try (PoolPlan plan = pool.plan(PoolOp.avg(spec, options), x.shape())) {
            await(plan.forward(x, y));
        }
    }

    public static void avgPool2dBackwardInto(OpenClPooling pool, DeviceTensor gy, PoolSpec spec, AvgOptions options, DeviceTensor gx) {
        try (PoolPlan plan = pool.plan(PoolOp.avg(spec, options), gx.shape())) {
            await(plan.backward(gy, gx));
        }
    }

    public static DevicePoolResult allocateIndexed(OpenClPooling pool, Shape shape) {
        DeviceTensor values = DeviceTensor.allocate(pool.context(), shape);
        try {
            return new DevicePoolResult(values, DeviceIndices.allocate(pool.context(), shape));
        } catch (RuntimeException e) {
            values.close();
            throw e;
        }
    }

    /** Waits for a plan's event and releases it. */
    public static void await(cl_event event) {
        try {
            CL.clWaitForEvents(1, new cl_event[] {event});
        } finally {
            CL.clReleaseEvent(event);
        }
    }
}
