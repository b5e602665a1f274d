package io.clpool.pipeline;

import static io.clpool.pipeline.Events.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.opencl.ClContext;
import io.clpool.opencl.DeviceIndices;
import io.clpool.opencl.DeviceInfo;
import io.clpool.opencl.DeviceTensor;
import io.clpool.opencl.PoolPlan;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.TestDevices;
import java.util.Random;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.blast.CLBlast;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.junit.jupiter.api.Test;

/**
 * The README's pipeline: on one caller-made context and queue, a convolution with CLBlast, a
 * ReLU written here, then clpool's max-pooling plan forward and backward — chained only by
 * events, gated on a user event, with no host round trip between the layers. Afterwards the
 * convolution and ReLU are compared with plain Java, and the pooling (bit for bit) with the
 * reference applied to the ReLU output the device produced.
 */
class ConvReluPoolPipelineTest {
    private static final int N = 2, C = 3, H = 11, W = 9, K = 4, R = 3, S = 3, PAD = 1;
    private static final PoolSpec POOL = PoolSpec.of(3).withStride(2).withPadding(1);

    @Test
    @SuppressWarnings("deprecation") // clCreateCommandQueue: the OpenCL 1.2 call; in-order, as CLBlast needs
    void convReluMaxPoolForwardAndBackwardChainedByEventsOnly() {
        DeviceInfo info = TestDevices.selectDevice();
        int[] status = new int[1];
        cl_context_properties properties = new cl_context_properties();
        properties.addProperty(CL.CL_CONTEXT_PLATFORM, info.platform());
        cl_context context = CL.clCreateContext(properties, 1, new cl_device_id[] {info.device()}, null, null, status);
        check(status[0], "clCreateContext");
        cl_command_queue queue = CL.clCreateCommandQueue(context, info.device(), 0, status);
        check(status[0], "clCreateCommandQueue");
        Random random = new Random(31);
        float[] x = new float[N * C * H * W];
        float[] w = new float[K * C * R * S];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian() * 0.3f;
        Shape conv = Shape.of(N, K, ClBlastConvolution.outputSize(H, R, PAD), ClBlastConvolution.outputSize(W, S, PAD));
        Shape pooled = POOL.outputShape(conv);
        float[] dy = new float[(int) pooled.elementCount()];
        for (int i = 0; i < dy.length; i++) dy[i] = (float) random.nextGaussian();
        cl_mem xMem = buffer(context, queue, x);
        cl_mem wMem = buffer(context, queue, w);
        cl_mem dyMem = buffer(context, queue, dy);
        try (ClContext clpool = ClContext.wrap(context, info.device(), queue);
             PoolPlan maxPool = PoolPlan.create(clpool, PoolOp.max(POOL), conv);
             DeviceTensor convOut = DeviceTensor.allocate(clpool, conv);
             DeviceTensor activations = DeviceTensor.allocate(clpool, conv);
             DeviceTensor values = DeviceTensor.allocate(clpool, pooled);
             DeviceIndices indices = DeviceIndices.allocate(clpool, pooled);
             DeviceTensor gradOut = DeviceTensor.wrap(clpool, dyMem, pooled);
             DeviceTensor gradIn = DeviceTensor.allocate(clpool, conv)) {
            cl_event gate = CL.clCreateUserEvent(context, status);
            check(status[0], "clCreateUserEvent");
            cl_event convDone = ClBlastConvolution.conv2d(queue, xMem, wMem, convOut.mem(), N, C, H, W, K, R, S, PAD, gate);
            cl_event reluDone = Relu.forward(queue, convOut.mem(), activations.mem(), conv.elementCount(), convDone);
            cl_event poolDone = maxPool.forward(activations, values, indices, reluDone);
            cl_event backDone = maxPool.backward(gradOut, indices, gradIn, poolDone);
            assertNotEquals(CL.CL_COMPLETE, status(backDone), "nothing may finish while the gate is closed");
            check(CL.clSetUserEventStatus(gate, CL.CL_COMPLETE), "clSetUserEventStatus");
            check(CL.clWaitForEvents(1, new cl_event[] {backDone}), "clWaitForEvents");
            for (cl_event e : new cl_event[] {gate, convDone, reluDone, poolDone, backDone}) {
                check(CL.clReleaseEvent(e), "clReleaseEvent");
            }

            float[] expectedActivations = Relu.reference(ClBlastConvolution.reference(x, w, N, C, H, W, K, R, S, PAD));
            Tensor deviceActivations = activations.download();
            Compare.close(expectedActivations, deviceActivations.data(), "conv + ReLU");
            ReferencePooling reference = new ReferencePooling();
            PoolResult expected = reference.maxPool2d(deviceActivations, POOL);
            Compare.bitEqual(expected.values().data(), values.download().data(), "pooled values");
            Compare.bitEqual(expected.indices().data(), indices.download().data(), "pooled indices");
            Compare.close(reference.maxPool2dBackward(new Tensor(pooled, dy), expected.indices(), conv, POOL).data(),
                    gradIn.download().data(), "gradient of the ReLU output");
        } finally {
            CLBlast.CLBlastClearCache();
            check(CL.clReleaseMemObject(xMem), "clReleaseMemObject");
            check(CL.clReleaseMemObject(wMem), "clReleaseMemObject");
            check(CL.clReleaseMemObject(dyMem), "clReleaseMemObject");
            check(CL.clReleaseCommandQueue(queue), "clReleaseCommandQueue");
            check(CL.clReleaseContext(context), "clReleaseContext");
        }
    }

    private static cl_mem buffer(cl_context context, cl_command_queue queue, float[] data) {
        int[] status = new int[1];
        cl_mem mem = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, data.length * 4L, null, status);
        check(status[0], "clCreateBuffer");
        check(CL.clEnqueueWriteBuffer(queue, mem, CL.CL_TRUE, 0, data.length * 4L, Pointer.to(data), 0, null, null),
                "clEnqueueWriteBuffer");
        return mem;
    }

    private static int status(cl_event event) {
        int[] value = new int[1];
        check(CL.clGetEventInfo(event, CL.CL_EVENT_COMMAND_EXECUTION_STATUS, Sizeof.cl_int, Pointer.to(value), null),
                "clGetEventInfo");
        return value[0];
    }

}
