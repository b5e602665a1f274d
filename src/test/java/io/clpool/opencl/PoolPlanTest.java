package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

    /** Each row is refused with IllegalArgumentException (or IllegalStateException for closed objects) naming the problem. */
    private record Refusal(String name, Class<? extends RuntimeException> type, String message, Consumer<Fixture> call) {}

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
                        f -> PoolPlan.create(context, PoolOp.max(PoolSpec.of(46341).withPadding(23170)), Shape.of(1, 1, 1, 1),
                                Algorithm.IM2COL)),
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
