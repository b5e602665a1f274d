package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Calls;
import io.clpool.support.Compare;
import io.clpool.support.DeviceTest;
import io.clpool.support.Inputs;
import io.clpool.reference.TermMagnitudes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Plans on the caller's OpenCL objects: a context, queue and buffers made with plain JOCL,
 * borrowed and left usable; execution that only enqueues (a pipeline gated on a user event);
 * every refusal before anything is enqueued; no native object left behind.
 */
class PoolPlanTest extends DeviceTest {
    private static final Shape SHAPE = Shape.of(2, 3, 9, 13);
    private static final PoolSpec SPEC = PoolSpec.of(3).withStride(2).withPadding(1);
    private static final Shape SHAPE_3D = Shape.of(2, 3, 4, 9, 13);
    /** Non-cubic, overlapping, padded on every axis, dilated along H, ceil mode. */
    private static final PoolSpec SPEC_3D = PoolSpec.of3d(3, 2, 3).withStride(2, 1, 2).withPadding(1, 1, 1).withDilation(1, 2, 1)
            .withCeilMode(true);

    /** A context and in-order queue created by "the caller", without profiling. */
    private static final class CallerObjects implements AutoCloseable {
        final cl_device_id device;
        final cl_context context;
        final cl_command_queue queue;

        @SuppressWarnings("deprecation")
        CallerObjects(DeviceInfo info) {
            device = info.device();
            int[] status = new int[1];
            cl_context_properties properties = new cl_context_properties();
            properties.addProperty(CL.CL_CONTEXT_PLATFORM, info.platform());
            context = CL.clCreateContext(properties, 1, new cl_device_id[] {device}, null, null, status);
            assertEquals(CL.CL_SUCCESS, status[0]);
            queue = CL.clCreateCommandQueue(context, device, 0, status);
            assertEquals(CL.CL_SUCCESS, status[0]);
        }

        cl_mem buffer(long bytes) {
            int[] status = new int[1];
            cl_mem mem = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, status);
            assertEquals(CL.CL_SUCCESS, status[0]);
            return mem;
        }

        cl_mem upload(float[] data) {
            cl_mem mem = buffer(data.length * 4L);
            assertEquals(CL.CL_SUCCESS, CL.clEnqueueWriteBuffer(queue, mem, CL.CL_TRUE, 0, data.length * 4L, Pointer.to(data), 0, null, null));
            return mem;
        }

        float[] readFloats(cl_mem mem, int count) {
            float[] data = new float[count];
            assertEquals(CL.CL_SUCCESS, CL.clEnqueueReadBuffer(queue, mem, CL.CL_TRUE, 0, count * 4L, Pointer.to(data), 0, null, null));
            return data;
        }

        int[] readInts(cl_mem mem, int count) {
            int[] data = new int[count];
            assertEquals(CL.CL_SUCCESS, CL.clEnqueueReadBuffer(queue, mem, CL.CL_TRUE, 0, count * 4L, Pointer.to(data), 0, null, null));
            return data;
        }

        @Override
        public void close() {
            CL.clReleaseCommandQueue(queue);
            CL.clReleaseContext(context);
        }
    }

    private static int executionStatus(cl_event event) {
        int[] status = new int[1];
        CL.clGetEventInfo(event, CL.CL_EVENT_COMMAND_EXECUTION_STATUS, Sizeof.cl_int, Pointer.to(status), null);
        return status[0];
    }

    @Test
    void aPipelineOnTheCallersObjectsGatedOnAUserEventOnlyEnqueues() {
        Tensor x = Inputs.SPECIAL.tensor(SHAPE, 11);
        ReferencePooling reference = new ReferencePooling();
        PoolResult expected = reference.maxPool2d(x, SPEC);
        Shape out = expected.values().shape();
        Tensor dy = Inputs.gradient(out, 12);
        Tensor expectedGrad = reference.maxPool2dBackward(dy, expected.indices(), SHAPE, SPEC);
        try (CallerObjects caller = new CallerObjects(context.device())) {
            cl_mem xMem = caller.upload(x.data());
            cl_mem yMem = caller.buffer(out.elementCount() * 4);
            cl_mem idxMem = caller.buffer(out.elementCount() * 4);
            cl_mem dyMem = caller.upload(dy.data());
            cl_mem dxMem = caller.buffer(SHAPE.elementCount() * 4);
            int[] status = new int[1];
            cl_event gate = CL.clCreateUserEvent(caller.context, status);
            assertEquals(CL.CL_SUCCESS, status[0]);
            try (ClContext borrowed = ClContext.wrap(caller.context, caller.device, caller.queue);
                 PoolPlan plan = PoolPlan.create(borrowed, PoolOp.max(SPEC), SHAPE);
                 DeviceTensor input = DeviceTensor.wrap(borrowed, xMem, SHAPE);
                 DeviceTensor output = DeviceTensor.wrap(borrowed, yMem, out);
                 DeviceIndices indices = DeviceIndices.wrap(borrowed, idxMem, out);
                 DeviceTensor gradOut = DeviceTensor.wrap(borrowed, dyMem, out);
                 DeviceTensor gradIn = DeviceTensor.wrap(borrowed, dxMem, SHAPE)) {
                assertTrue(borrowed.isBorrowed());
                cl_event forward = plan.forward(input, output, indices, gate);
                cl_event backward = plan.backward(gradOut, indices, gradIn, forward);
                // Nothing could run yet: both calls returned while the gate was still closed.
                assertNotEquals(CL.CL_COMPLETE, executionStatus(forward));
                assertNotEquals(CL.CL_COMPLETE, executionStatus(backward));
                CL.clSetUserEventStatus(gate, CL.CL_COMPLETE);
                assertEquals(CL.CL_SUCCESS, CL.clWaitForEvents(1, new cl_event[] {backward}));
                CL.clReleaseEvent(forward);
                CL.clReleaseEvent(backward);
            }
            CL.clReleaseEvent(gate);
            // The wrappers are closed; the caller's context, queue and buffers still work.
            Compare.bitEqual(expected.values().data(), caller.readFloats(yMem, (int) out.elementCount()), "values");
            Compare.bitEqual(expected.indices().data(), caller.readInts(idxMem, (int) out.elementCount()), "indices");
            Compare.close(expectedGrad.data(), caller.readFloats(dxMem, (int) SHAPE.elementCount()), "gradient");
            assertEquals(CL.CL_SUCCESS, CL.clEnqueueFillBuffer(caller.queue, yMem, Pointer.to(new float[] {0}), Sizeof.cl_float,
                    0, out.elementCount() * 4, 0, null, null));
            assertEquals(CL.CL_SUCCESS, CL.clFinish(caller.queue));
            for (cl_mem mem : List.of(xMem, yMem, idxMem, dyMem, dxMem)) {
                assertEquals(CL.CL_SUCCESS, CL.clReleaseMemObject(mem));
            }
        }
    }

    @Test
    void closingAWrappedContextReleasesOnlyItsOwnRetains() {
        try (CallerObjects caller = new CallerObjects(context.device())) {
            int contextRefs = referenceCount(caller.context, true);
            int queueRefs = referenceCount(caller.queue, false);
            ClContext borrowed = ClContext.wrap(caller.context, caller.device, caller.queue);
            try (PoolPlan plan = PoolPlan.create(borrowed, PoolOp.avg(SPEC.withDilation(1)), SHAPE)) {
                assertEquals(SPEC.outputShape(SHAPE), plan.outputShape());
            }
            borrowed.close();
            assertEquals(0, borrowed.liveObjects());
            assertEquals(contextRefs, referenceCount(caller.context, true), "the caller's context keeps exactly its references");
            assertEquals(queueRefs, referenceCount(caller.queue, false), "the caller's queue keeps exactly its references");
        }
    }

    private static int referenceCount(org.jocl.NativePointerObject object, boolean isContext) {
        int[] refs = new int[1];
        if (isContext) {
            CL.clGetContextInfo((cl_context) object, CL.CL_CONTEXT_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(refs), null);
        } else {
            CL.clGetCommandQueueInfo((cl_command_queue) object, CL.CL_QUEUE_REFERENCE_COUNT, Sizeof.cl_uint, Pointer.to(refs), null);
        }
        return refs[0];
    }

    /** Every op through a plan on clpool's own context, against the reference. */
    @TestFactory
    Stream<DynamicTest> everyOpThroughAPlan() {
        Tensor x = Inputs.NORMAL.tensor(SHAPE, 5);
        ReferencePooling reference = new ReferencePooling();
        PoolResult pooled = reference.maxPool2d(x, SPEC);
        List<PoolOp> ops = List.of(PoolOp.max(SPEC), PoolOp.min(SPEC), PoolOp.avg(SPEC.withDilation(1), new AvgOptions(false, 0)),
                PoolOp.lp(PoolSpec.of(2, 3).withStride(2), 2.0), PoolOp.adaptiveMax(4, 5), PoolOp.adaptiveAvg(7, 3),
                PoolOp.maxUnpool(SHAPE.h(), SHAPE.w()));
        return ops.stream().flatMap(op -> Stream.of(Algorithm.IM2COL, Algorithm.DIRECT).map(algorithm ->
                dynamicTest(algorithm + " " + op, () -> {
                    Tensor input = op instanceof PoolOp.MaxUnpool ? pooled.values() : op instanceof PoolOp.Lp ? io.clpool.support.Differential.abs(x) : x;
                    IndexTensor taken = op.takesIndices() ? pooled.indices() : null;
                    io.clpool.support.Differential.check(new OpenClPooling(context, algorithm), reference, op, input, taken, 3);
                })));
    }

    @Test
    void hostDataMovesThroughDirectBuffersWithoutArrays() {
        Tensor x = Inputs.NORMAL.tensor(SHAPE, 8);
        FloatBuffer floats = ByteBuffer.allocateDirect(x.data().length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        floats.put(x.data()).flip();
        ByteBuffer bytes = ByteBuffer.allocateDirect(x.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        try (DeviceTensor fromFloats = DeviceTensor.upload(context, SHAPE, floats);
             DeviceTensor fromBytes = DeviceTensor.allocate(context, SHAPE)) {
            fromFloats.read(bytes);
            fromBytes.write(bytes);
            Compare.bitEqual(x.data(), fromBytes.download().data(), "round trip through a FloatBuffer and a ByteBuffer");
            assertThrows(IllegalArgumentException.class, () -> fromFloats.write(FloatBuffer.wrap(x.data())), "heap buffer");
            assertThrows(IllegalArgumentException.class,
                    () -> fromFloats.write(ByteBuffer.allocateDirect(x.data().length * 4).order(ByteOrder.BIG_ENDIAN)), "big-endian");
            assertThrows(IllegalArgumentException.class, () -> fromFloats.write(ByteBuffer.allocateDirect(12)), "too small");
        }
    }

    /**
     * float64 on the device: 8 bytes per element, doubles uploaded and downloaded bit for bit
     * (values float32 cannot hold), a plan's max bit for bit and avg within float64's tolerance of
     * the reference; a little-endian ByteBuffer of doubles moves them too.
     */
    @Test
    void float64TensorsMoveDoublesAndPlansComputeInDouble() {
        io.clpool.spec.DType f64 = io.clpool.spec.DType.FLOAT64;
        Tensor x = io.clpool.support.Differential.beyondFloat(Inputs.NORMAL.tensor(SHAPE, 9), 9);
        ReferencePooling reference = new ReferencePooling();
        try (DeviceTensor dx = DeviceTensor.upload(context, x);
             PoolPlan max = PoolPlan.create(context, PoolOp.max(SPEC), SHAPE, f64);
             PoolPlan avg = PoolPlan.create(context, PoolOp.avg(SPEC.withDilation(1)), SHAPE, f64);
             DevicePoolResult y = max.allocateOutputs();
             DevicePoolResult mean = avg.allocateOutputs()) {
            assertEquals(SHAPE.elementCount() * 8, dx.buffer().bytes());
            assertEquals(f64, dx.dtype());
            assertEquals(f64, y.values().dtype());
            Compare.bitEqual(x, dx.download(), "float64 round trip");
            ByteBuffer bytes = ByteBuffer.allocateDirect(x.doubles().length * 8).order(ByteOrder.LITTLE_ENDIAN);
            dx.read(bytes);
            assertEquals(x.doubles()[5], bytes.getDouble(5 * 8), "a ByteBuffer holds the doubles");
            Calls.await(max.forward(dx, y.values(), y.indices()));
            Calls.await(avg.forward(dx, mean.values()));
            PoolResult e = reference.forward(PoolOp.max(SPEC), x);
            Compare.bitEqual(e.values(), y.values().download(), "float64 max");
            Compare.bitEqual(e.indices().data(), y.indices().download().data(), "float64 max indices");
            PoolOp avgOp = PoolOp.avg(SPEC.withDilation(1));
            Compare.close(reference.forward(avgOp, x).values(), mean.values().download(), TermMagnitudes.forward(avgOp, x), "float64 avg");
        }
    }

    /** Each row is refused with IllegalArgumentException (or IllegalStateException for closed objects) naming the problem. */
    private record Refusal(String name, Class<? extends RuntimeException> type, String message, Consumer<Fixture> call) {}

    /**
     * Creates a plan with the context's allocations limited to 1 GiB, so a column buffer of a few
     * GiB is over the limit on every device: an H100 allows 19.8 GiB in one allocation, where it
     * built (and allocated) the 8.6 GB column buffer these rows expect refused.
     */
    private void underOneGiBAllocations(java.util.function.Supplier<PoolPlan> create) {
        context.limitMaxAllocation(1L << 30);
        try (PoolPlan unexpected = create.get()) {
            assertNotNull(unexpected);
        } finally {
            context.limitMaxAllocation(Long.MAX_VALUE);
        }
    }

    private final class Fixture implements AutoCloseable {
        final PoolPlan max = PoolPlan.create(context, PoolOp.max(SPEC), SHAPE);
        final PoolPlan avg = PoolPlan.create(context, PoolOp.avg(SPEC.withDilation(1)), SHAPE);
        final DeviceTensor x = DeviceTensor.upload(context, Inputs.NORMAL.tensor(SHAPE, 1));
        final DevicePoolResult y = max.allocateOutputs();
        final DeviceTensor gx = DeviceTensor.allocate(context, SHAPE);
        final DeviceTensor wrongShape = DeviceTensor.allocate(context, Shape.of(1, 3, 9, 13));

        @Override
        public void close() {
            List.of(x, y, gx, wrongShape).forEach(t -> {
                try {
                    ((AutoCloseable) t).close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            max.close();
            avg.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> invalidPlanUseIsRefusedBeforeAnythingIsEnqueued() {
        List<Refusal> rows = List.of(
                new Refusal("null context", IllegalArgumentException.class, "context should not be null",
                        f -> PoolPlan.create(null, PoolOp.max(SPEC), SHAPE)),
                new Refusal("null op", IllegalArgumentException.class, "op should not be null",
                        f -> PoolPlan.create(context, null, SHAPE)),
                new Refusal("null shape", IllegalArgumentException.class, "input shape should not be null",
                        f -> PoolPlan.create(context, PoolOp.max(SPEC), null)),
                new Refusal("window larger than the input", IllegalArgumentException.class, "is too small",
                        f -> PoolPlan.create(context, PoolOp.max(PoolSpec.of(20)), SHAPE)),
                new Refusal("indices to an op without them", IllegalArgumentException.class,
                        "avg pooling has no indices: call forward(input, output, waitFor...)",
                        f -> f.avg.forward(f.x, f.y.values(), f.y.indices())),
                new Refusal("no indices to an op with them", IllegalArgumentException.class,
                        "max pooling writes indices: call forward(input, output, indices, waitFor...)",
                        f -> f.max.forward(f.x, f.y.values())),
                new Refusal("wrong output shape", IllegalArgumentException.class, "output shape should be 2x3x5x7, but got 1x3x9x13",
                        f -> f.max.forward(f.x, f.wrongShape, f.y.indices())),
                new Refusal("null input", IllegalArgumentException.class, "input should not be null",
                        f -> f.max.forward(null, f.y.values(), f.y.indices())),
                new Refusal("null event", IllegalArgumentException.class, "waitFor[0] should not be null",
                        f -> f.max.forward(f.x, f.y.values(), f.y.indices(), (cl_event) null)),
                new Refusal("input as output", IllegalArgumentException.class, "gradInput should be a buffer of its own",
                        f -> {
                            try (DeviceTensor alias = DeviceTensor.wrap(context, f.gx.mem(), f.y.values().shape())) {
                                f.avg.backward(alias, f.gx);
                            }
                        }),
                new Refusal("wrong backward form", IllegalArgumentException.class, "call backward(gradOutput, indices, gradInput",
                        f -> f.max.backward(f.y.values(), f.gx)),
                new Refusal("closed tensor", IllegalArgumentException.class, "input should be open", f -> {
                    DeviceTensor closed = DeviceTensor.allocate(context, SHAPE);
                    closed.close();
                    f.max.forward(closed, f.y.values(), f.y.indices());
                }),
                new Refusal("closed plan", IllegalStateException.class, "used after close", f -> {
                    PoolPlan plan = PoolPlan.create(context, PoolOp.max(SPEC), SHAPE);
                    plan.close();
                    plan.forward(f.x, f.y.values(), f.y.indices());
                }),
                new Refusal("buffer of another context", IllegalArgumentException.class, "of another context", f -> {
                    try (ClContext other = ClContext.create(context.device());
                         DeviceTensor foreign = DeviceTensor.allocate(other, SHAPE)) {
                        f.max.forward(foreign, f.y.values(), f.y.indices());
                    }
                }),
                new Refusal("wrapped cl_mem of another context", IllegalArgumentException.class, "a cl_mem of another context", f -> {
                    try (ClContext other = ClContext.create(context.device());
                         DeviceTensor foreign = DeviceTensor.allocate(other, SHAPE)) {
                        DeviceTensor.wrap(context, foreign.mem(), SHAPE);
                    }
                }),
                new Refusal("wrapped buffer too small", IllegalArgumentException.class, "buffer size should be at least", f ->
                        DeviceTensor.wrap(context, f.wrongShape.mem(), SHAPE)),
                new Refusal("a plane past int32 indices", IllegalArgumentException.class,
                        "the input plane should be at most 2147483647 elements (indices are int32 offsets inside a plane), "
                                + "but got input H x W: 46341x46341 = 2147488281",
                        f -> PoolPlan.create(context, PoolOp.max(PoolSpec.of(2)), Shape.of(1, 1, 46341, 46341))),
                new Refusal("an unpooled plane past int32 indices", IllegalArgumentException.class, "46341x46341 = 2147488281",
                        f -> PoolPlan.create(context, PoolOp.maxUnpool(46341, 46341), Shape.of(1, 1, 2, 2))),
                new Refusal("IM2COL's column buffer of a 46341x46341 window", IllegalArgumentException.class,
                        "bytes, but the device's maximum allocation is",
                        f -> underOneGiBAllocations(() -> PoolPlan.create(context, PoolOp.max(PoolSpec.of(46341).withPadding(23170)),
                                Shape.of(1, 1, 1, 1), Algorithm.IM2COL))),
                new Refusal("IM2COL's column buffer of a 2000x2000x2000 window (the general kernels)", IllegalArgumentException.class,
                        "bytes, but the device's maximum allocation is",
                        f -> underOneGiBAllocations(() -> PoolPlan.create(context, PoolOp.max(PoolSpec.of3d(2000).withPadding(1000)),
                                Shape.of(1, 1, 1, 1, 1), Algorithm.IM2COL))),
                new Refusal("IM2COL's column buffer of a 46341x46341 window, float16 channels last", IllegalArgumentException.class,
                        "bytes, but the device's maximum allocation is",
                        f -> underOneGiBAllocations(() -> PoolPlan.create(context, PoolOp.min(PoolSpec.of(46341).withPadding(23170)),
                                Shape.of(1, 1, 1, 1).withLayout(io.clpool.spec.Layout.CHANNELS_LAST), io.clpool.spec.DType.FLOAT16,
                                Algorithm.IM2COL))),
                new Refusal("IM2COL with a 3-D average window", IllegalArgumentException.class,
                        "the IM2COL algorithm runs 3-D windows, channels-last tensors, float16/bfloat16 and float64 for max and min "
                                + "pooling only: use DIRECT or AUTO for float32 avg pooling of 2x3x4x9x13 (kernel=1x3x2 stride=1x3x2 padding=0x1x1 dilation=1x1x1)",
                        f -> PoolPlan.create(context, PoolOp.avg(PoolSpec.of3d(1, 3, 2).withPadding(0, 1, 1)), SHAPE_3D, Algorithm.IM2COL)),
                new Refusal("a 2-D window on a 5-D input", IllegalArgumentException.class,
                        "the input of a 2-D pooling should be 4-D (N, C, H, W), but got 5-D 2x3x4x9x13",
                        f -> PoolPlan.create(context, PoolOp.max(SPEC), SHAPE_3D)),
                new Refusal("a 3-D window on a 4-D input", IllegalArgumentException.class,
                        "the input of a 3-D pooling should be 5-D (N, C, D, H, W), but got 4-D 2x3x9x13",
                        f -> PoolPlan.create(context, PoolOp.min(SPEC_3D), SHAPE)),
                new Refusal("a 3-D adaptive size on a 4-D input", IllegalArgumentException.class,
                        "the input of a 3-D adaptive pooling should be 5-D (N, C, D, H, W), but got 4-D 2x3x9x13",
                        f -> PoolPlan.create(context, PoolOp.adaptiveAvg3d(2, 2, 2), SHAPE)),
                new Refusal("3-D LP pooling on IM2COL", IllegalArgumentException.class,
                        "the IM2COL algorithm runs 3-D windows, channels-last tensors, float16/bfloat16 and float64 for max and min pooling only:"
                                + " use DIRECT or AUTO for float32 lp pooling of 2x3x4x9x13",
                        f -> PoolPlan.create(context, PoolOp.lp(PoolSpec.of3d(2), 2.0), SHAPE_3D, Algorithm.IM2COL)),
                new Refusal("a 2-D fractional max pooling of a 5-D input", IllegalArgumentException.class,
                        "the input of a 2-D fractional max pooling should be 4-D (N, C, H, W), but got 5-D 2x3x4x9x13",
                        f -> PoolPlan.create(context, PoolOp.fractionalMax(2, 2, 3, 3, io.clpool.spec.FractionalSamples.seeded(7)), SHAPE_3D)),
                new Refusal("a 3-D adaptive output of 0", IllegalArgumentException.class,
                        "adaptive output size should be greater than zero, but got outputD: 2, outputH: 0, outputW: 2",
                        f -> PoolPlan.create(context, PoolOp.adaptiveMax3d(2, 0, 2), SHAPE_3D)),
                new Refusal("a 5-D plane past int32 indices", IllegalArgumentException.class,
                        "the input plane should be at most 2147483647 elements (indices are int32 offsets inside a plane), "
                                + "but got input D x H x W: 2048x1024x1025 = 2149580800",
                        f -> PoolPlan.create(context, PoolOp.max(PoolSpec.of3d(2)), Shape.of(1, 1, 2048, 1024, 1025))),
                new Refusal("an unpooled volume past int32 indices", IllegalArgumentException.class,
                        "unpooled output D x H x W: 2048x1024x1025 = 2149580800",
                        f -> PoolPlan.create(context, PoolOp.maxUnpool3d(2048, 1024, 1025), Shape.of(1, 1, 2, 2, 2))),
                new Refusal("4-D tensors to a 3-D plan", IllegalArgumentException.class, "input shape should be 2x3x4x9x13, but got 2x3x9x13",
                        f -> {
                            try (PoolPlan plan = PoolPlan.create(context, PoolOp.max(SPEC_3D), SHAPE_3D);
                                 DevicePoolResult y3 = plan.allocateOutputs()) {
                                plan.forward(f.x, y3.values(), y3.indices());
                            }
                        }),
                new Refusal("an LP norm that is infinite in float", IllegalArgumentException.class, "1.0E308",
                        f -> PoolOp.lp(PoolSpec.of(2), 1e308)),
                new Refusal("over the device's maximum allocation", IllegalArgumentException.class, "maximum allocation", f -> {
                    context.limitMaxAllocation(1024);
                    try {
                        PoolPlan.create(context, PoolOp.max(SPEC), SHAPE);
                    } finally {
                        context.limitMaxAllocation(Long.MAX_VALUE);
                    }
                }));
        return rows.stream().map(row -> dynamicTest(row.name(), () -> {
            try (Fixture fixture = new Fixture()) {
                long buffers = context.liveObjects(NativeKind.BUFFER); // programs a failed plan built stay cached in the context
                RuntimeException e = assertThrows(row.type(), () -> row.call().accept(fixture));
                assertTrue(e.getMessage().contains(row.message()), () -> "message: " + e.getMessage());
                assertEquals(buffers, context.liveObjects(NativeKind.BUFFER), "buffers left behind");
            }
        }));
    }

    /**
     * A 3-D plan's forward and backward enqueued twice, chained only by events, into two sets of
     * device outputs (the second pre-filled with NaN, so an element either run skips shows), then a
     * third time into the first set: all three bitwise equal, and equal to the reference.
     */
    @TestFactory
    Stream<DynamicTest> aVolumetricPlanRunTwiceGivesIdenticalResults() {
        PoolSpec avgSpec = PoolSpec.of3d(3, 2, 3).withStride(2, 1, 2).withPadding(1, 1, 1).withCeilMode(true);
        List<PoolOp> ops = List.of(PoolOp.max(SPEC_3D), PoolOp.min(SPEC_3D), PoolOp.avg(avgSpec, new AvgOptions(false, 0)),
                PoolOp.adaptiveMax3d(3, 7, 20), PoolOp.adaptiveAvg3d(5, 4, 6));
        return ops.stream().map(op -> dynamicTest(op.toString(), () -> runTwice(op)));
    }

    private void runTwice(PoolOp op) {
        Tensor x = Inputs.TIES.tensor(SHAPE_3D, 21);
        ReferencePooling reference = new ReferencePooling();
        PoolResult expected = reference.forward(op, x);
        Shape out = expected.values().shape();
        Tensor dy = Inputs.gradient(out, 22);
        Tensor expectedGrad = reference.backward(op, dy, x, expected.values(), expected.indices());
        float[] nans = new float[(int) Math.max(SHAPE_3D.elementCount(), out.elementCount())];
        java.util.Arrays.fill(nans, Float.NaN);
        try (PoolPlan plan = PoolPlan.create(context, op, SHAPE_3D);
             DeviceTensor input = DeviceTensor.upload(context, x);
             DeviceTensor gradOut = DeviceTensor.upload(context, dy);
             DevicePoolResult y1 = plan.allocateOutputs();
             DevicePoolResult y2 = plan.allocateOutputs();
             DeviceTensor dx1 = DeviceTensor.allocate(context, SHAPE_3D);
             DeviceTensor dx2 = DeviceTensor.upload(context, new Tensor(SHAPE_3D, java.util.Arrays.copyOf(nans, (int) SHAPE_3D.elementCount())))) {
            assertEquals(out, plan.outputShape());
            y2.values().write(direct(java.util.Arrays.copyOf(nans, (int) out.elementCount())));
            cl_event f1 = forward(plan, op, input, y1);
            cl_event b1 = backward(plan, op, gradOut, y1, dx1, f1);
            cl_event f2 = forward(plan, op, input, y2, b1);
            cl_event b2 = backward(plan, op, gradOut, y2, dx2, f2);
            Calls.await(b2);
            for (cl_event e : List.of(f1, b1, f2)) {
                CL.clReleaseEvent(e);
            }
            PoolResult first = y1.download();
            PoolResult second = y2.download();
            float[] grad1 = dx1.download().data();
            Compare.bitEqual(first.values().data(), second.values().data(), op + " values, run 1 vs run 2");
            Compare.bitEqual(grad1, dx2.download().data(), op + " gradient, run 1 vs run 2");
            if (op.hasIndices()) {
                Compare.bitEqual(first.indices().data(), second.indices().data(), op + " indices, run 1 vs run 2");
                Compare.bitEqual(expected.indices().data(), first.indices().data(), op + " indices against the reference");
            }
            if (op.exact()) {
                Compare.bitEqual(expected.values().data(), first.values().data(), op + " values against the reference");
            } else {
                Compare.close(expected.values().data(), first.values().data(), TermMagnitudes.forward(op, x), op + " values");
            }
            Compare.close(expectedGrad.data(), grad1, TermMagnitudes.backward(op, dy, x, expected.values(), expected.indices()),
                    op + " gradient against the reference");
            // A third run over the first outputs: the same bits again.
            Calls.await(forward(plan, op, input, y1));
            Calls.await(backward(plan, op, gradOut, y1, dx1));
            Compare.bitEqual(first.values().data(), y1.values().download().data(), op + " values, run 1 vs run 3");
            Compare.bitEqual(grad1, dx1.download().data(), op + " gradient, run 1 vs run 3");
        }
    }

    private static FloatBuffer direct(float[] data) {
        FloatBuffer buffer = ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        buffer.put(data).flip();
        return buffer;
    }

    private static cl_event forward(PoolPlan plan, PoolOp op, DeviceTensor input, DevicePoolResult y, cl_event... waitFor) {
        return op.hasIndices() ? plan.forward(input, y.values(), y.indices(), waitFor) : plan.forward(input, y.values(), waitFor);
    }

    private static cl_event backward(PoolPlan plan, PoolOp op, DeviceTensor gradOut, DevicePoolResult y, DeviceTensor gradIn,
                                     cl_event... waitFor) {
        return op.hasIndices() ? plan.backward(gradOut, y.indices(), gradIn, waitFor) : plan.backward(gradOut, gradIn, waitFor);
    }

    /**
     * {@link PoolPlan#requireValidIndices} on 3-D indices from elsewhere: the reference's pass; one
     * moved to the next window along D, or past the volume, is refused naming it and its output
     * (n, c, d, h, w); and the plan still runs with the good ones. Max, adaptive max and unpooling.
     */
    @Test
    void requireValidIndicesRejectsABadVolumetricIndexNamingIt() {
        Shape in = Shape.of(1, 2, 4, 6, 5);
        Tensor x = Inputs.NORMAL.tensor(in, 31);
        ReferencePooling reference = new ReferencePooling();
        PoolOp max = PoolOp.max(PoolSpec.of3d(2).withStride(2));
        PoolResult pooled = reference.forward(max, x); // 1x2x2x3x2: position 19 is (c=1, d=1, h=0, w=1)
        int[] moved = pooled.indices().data().clone();
        moved[19] -= 2 * 6 * 5; // the same tap of the window one depth window up: in the plane, not in its window
        requireRefused(max, in, pooled.indices(), new IndexTensor(pooled.indices().shape(), moved),
                "index should be inside its pooling window for an input plane of 4x6x5, but got index: " + moved[19]
                        + " at output (n=0, c=1, d=1, h=0, w=1)");
        int[] past = pooled.indices().data().clone();
        past[4] = 120;
        requireRefused(max, in, pooled.indices(), new IndexTensor(pooled.indices().shape(), past),
                "index should be in [0, 120) for an input plane of 4x6x5, but got index: 120 at output (n=0, c=0, d=0, h=2, w=0)");

        PoolOp adaptive = PoolOp.adaptiveMax3d(3, 2, 4);
        PoolResult adaptivePooled = reference.forward(adaptive, x); // 1x2x3x2x4: position 9 is (c=0, d=1, h=0, w=1)
        int[] outside = adaptivePooled.indices().data().clone();
        outside[9] = 0;
        requireRefused(adaptive, in, adaptivePooled.indices(), new IndexTensor(adaptivePooled.indices().shape(), outside),
                "index should be inside its adaptive pooling window for an input plane of 4x6x5, but got index: 0"
                        + " at output (n=0, c=0, d=1, h=0, w=1)");

        PoolOp unpool = PoolOp.maxUnpool3d(in.d(), in.h(), in.w());
        int[] beyond = pooled.indices().data().clone();
        beyond[13] = -7;
        requireRefused(unpool, pooled.values().shape(), pooled.indices(), new IndexTensor(pooled.indices().shape(), beyond),
                "index should be in [0, 120) for an unpooled plane of 4x6x5, but got index: -7 at value (n=0, c=1, d=0, h=0, w=1)");
    }

    /** The good indices pass the check and drive a backward; the bad ones are refused with {@code message}. */
    private void requireRefused(PoolOp op, Shape input, IndexTensor good, IndexTensor bad, String message) {
        try (PoolPlan plan = PoolPlan.create(context, op, input);
             DeviceIndices goodOnDevice = DeviceIndices.upload(context, good);
             DeviceIndices badOnDevice = DeviceIndices.upload(context, bad);
             DeviceTensor gradOut = DeviceTensor.upload(context, Inputs.gradient(op.takesIndices() ? op.outputShape(input) : good.shape(), 3));
             DeviceTensor gradIn = DeviceTensor.allocate(context, input)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.requireValidIndices(badOnDevice));
            assertEquals(message, e.getMessage());
            plan.requireValidIndices(goodOnDevice);
            Calls.await(plan.backward(gradOut, goodOnDevice, gradIn));
            Tensor zeros = Tensor.zeros(input);
            Tensor dy = gradOut.download();
            Tensor expected = new ReferencePooling().backward(op, dy, zeros, null, good);
            float[] magnitudes = TermMagnitudes.backward(op, dy, zeros, null, good);
            if (magnitudes == null) { // unpooling's backward is a gather: exact
                Compare.bitEqual(expected.data(), gradIn.download().data(), op + " backward with the indices that passed");
            } else {
                Compare.close(expected.data(), gradIn.download().data(), magnitudes, op + " backward with the indices that passed");
            }
        }
    }

    @Test
    void tenThousandPlanExecutionsKeepTheNativeObjectCountFlat() {
        try (PoolPlan plan = PoolPlan.create(context, PoolOp.max(PoolSpec.of(2)), Shape.of(1, 2, 8, 8));
             DeviceTensor x = DeviceTensor.upload(context, Inputs.NORMAL.tensor(Shape.of(1, 2, 8, 8), 4));
             DevicePoolResult y = plan.allocateOutputs();
             DeviceTensor gx = DeviceTensor.allocate(context, x.shape())) {
            long before = context.liveObjects();
            for (int i = 0; i < 10_000; i++) {
                cl_event forward = plan.forward(x, y.values(), y.indices());
                cl_event backward = plan.backward(y.values(), y.indices(), gx, forward);
                CL.clReleaseEvent(forward);
                if (i % 500 == 499) {
                    Calls.await(backward);
                } else {
                    CL.clReleaseEvent(backward);
                }
            }
            context.finish();
            assertEquals(before, context.liveObjects());
        }
    }
}
