package io.clpool.pipeline;

import static io.clpool.pipeline.Events.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clpool.opencl.DeviceInfo;
import io.clpool.opencl.Devices;
import io.clpool.opencl.OpenClUnavailableException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * conv2d (CLBlast) → ReLU on raw JOCL objects, chained only by events: the first command waits
 * on a user event that the test completes only after everything is enqueued, so any blocking
 * call in the chain would hang the enqueueing (caught by a timeout) instead of passing.
 */
class ClBlastConvolutionTest {
    // awkward sizes: nothing a power of two, padding that keeps H and W
    static final int N = 2, C = 3, H = 9, W = 9, K = 4, R = 3, S = 3, PAD = 1;

    @Test
    void convThenReluChainedByEventsEqualsTheReference() throws Exception {
        DeviceInfo info = selectDevice();
        int oh = ClBlastConvolution.outputSize(H, R, PAD);
        int ow = ClBlastConvolution.outputSize(W, S, PAD);
        Random random = new Random(20261125);
        float[] x = new float[N * C * H * W];
        float[] w = new float[K * C * R * S];
        for (int i = 0; i < x.length; i++) x[i] = random.nextFloat() * 2 - 1;
        for (int i = 0; i < w.length; i++) w[i] = random.nextFloat() * 2 - 1;
        int outCount = N * K * oh * ow;

        Deque<Runnable> release = new ArrayDeque<>(); // every native object this test makes, undone last-first
        int[] status = new int[1];
        try {
            cl_context_properties properties = new cl_context_properties();
            properties.addProperty(CL.CL_CONTEXT_PLATFORM, info.platform());
            cl_context context = CL.clCreateContext(properties, 1, new cl_device_id[] {info.device()}, null, null, status);
            check(status[0], "clCreateContext");
            release.push(() -> CL.clReleaseContext(context));
            @SuppressWarnings("deprecation") // the OpenCL 1.2 call; in-order, as CLBlast needs
            cl_command_queue queue = CL.clCreateCommandQueue(context, info.device(), 0, status);
            check(status[0], "clCreateCommandQueue");
            release.push(() -> CL.clReleaseCommandQueue(queue));

            cl_mem xBuf = buffer(context, CL.CL_MEM_READ_ONLY | CL.CL_MEM_COPY_HOST_PTR, x, x.length, release);
            cl_mem wBuf = buffer(context, CL.CL_MEM_READ_ONLY | CL.CL_MEM_COPY_HOST_PTR, w, w.length, release);
            cl_mem yBuf = buffer(context, CL.CL_MEM_READ_WRITE, null, outCount, release);
            cl_mem zBuf = buffer(context, CL.CL_MEM_WRITE_ONLY, null, outCount, release);

            cl_event gate = CL.clCreateUserEvent(context, status);
            check(status[0], "clCreateUserEvent");
            release.push(() -> CL.clReleaseEvent(gate));
            boolean[] gateOpen = {false};

            // Enqueue the chain on another thread: if anything in it blocked on the device, it would
            // wait for the gate forever; then the test fails (and the finally below opens the gate).
            cl_event[] events = new cl_event[2];
            release.push(() -> {
                for (cl_event e : events) if (e != null) CL.clReleaseEvent(e);
            });
            // before anything is released: the gate open, nothing left in flight
            release.push(() -> {
                if (!gateOpen[0]) CL.clSetUserEventStatus(gate, CL.CL_COMPLETE);
                CL.clFinish(queue);
            });
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try {
                Future<?> enqueued = executor.submit(() -> {
                    events[0] = ClBlastConvolution.conv2d(queue, xBuf, wBuf, yBuf, N, C, H, W, K, R, S, PAD, gate);
                    events[1] = Relu.forward(queue, yBuf, zBuf, outCount, events[0]);
                });
                try {
                    // generous: the first CLBlast call compiles its kernels, slowly on a loaded CPU
                    enqueued.get(300, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    gateOpen[0] = true;
                    CL.clSetUserEventStatus(gate, CL.CL_COMPLETE);
                    fail("enqueueing conv2d -> relu did not return while its gate was closed: something in it blocks");
                }
            } finally {
                executor.shutdown();
            }
            int reluStatus = executionStatus(events[1]);
            assertTrue(reluStatus > CL.CL_COMPLETE, "relu must wait for the gate, but its status is " + reluStatus);

            gateOpen[0] = true;
            check(CL.clSetUserEventStatus(gate, CL.CL_COMPLETE), "clSetUserEventStatus");
            float[] z = new float[outCount];
            check(CL.clEnqueueReadBuffer(queue, zBuf, CL.CL_TRUE, 0, (long) outCount * Sizeof.cl_float, Pointer.to(z),
                    1, new cl_event[] {events[1]}, null), "clEnqueueReadBuffer(z)");
            float[] y = new float[outCount];
            check(CL.clEnqueueReadBuffer(queue, yBuf, CL.CL_TRUE, 0, (long) outCount * Sizeof.cl_float, Pointer.to(y),
                    0, null, null), "clEnqueueReadBuffer(y)");
            assertEquals(CL.CL_COMPLETE, executionStatus(events[0]), "conv2d's event");

            float[] expectedY = ClBlastConvolution.reference(x, w, N, C, H, W, K, R, S, PAD);
            // Σ|x·w| of every output: the scale of the rounding error of its sum
            float[] magnitude = ClBlastConvolution.reference(abs(x), abs(w), N, C, H, W, K, R, S, PAD);
            assertClose(expectedY, y, magnitude, "conv2d");
            assertClose(Relu.reference(expectedY), z, magnitude, "relu(conv2d)");
        } finally {
            while (!release.isEmpty()) {
                release.pop().run();
            }
        }
    }

    /** |a − e| ≤ 1e-5·|e| + 1e-6·max(1, Σ|x·w|): the project's 1e-5 rel / 1e-6 abs, the absolute part scaled by the terms' size. */
    static void assertClose(float[] expected, float[] actual, float[] magnitude, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-5 * Math.abs(expected[i]) + 1e-6 * Math.max(1.0, magnitude[i]);
            if (!(Math.abs((double) actual[i] - expected[i]) <= tolerance)) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]
                        + " (tolerance " + tolerance + ")");
            }
        }
    }

    private static int executionStatus(cl_event event) {
        int[] value = new int[1];
        check(CL.clGetEventInfo(event, CL.CL_EVENT_COMMAND_EXECUTION_STATUS, Sizeof.cl_int, Pointer.to(value), null),
                "clGetEventInfo");
        return value[0];
    }

    private static float[] abs(float[] a) {
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Math.abs(a[i]);
        return b;
    }

    private static cl_mem buffer(cl_context context, long flags, float[] data, int count, Deque<Runnable> release) {
        int[] status = new int[1];
        cl_mem mem = CL.clCreateBuffer(context, flags, (long) count * Sizeof.cl_float, data == null ? null : Pointer.to(data), status);
        check(status[0], "clCreateBuffer");
        release.push(() -> CL.clReleaseMemObject(mem));
        return mem;
    }

    private static DeviceInfo selectDevice() {
        try {
            return Devices.select();
        } catch (OpenClUnavailableException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but no OpenCL device is usable: " + e.getMessage(), e);
            }
            Assumptions.abort("no OpenCL device: " + e.getMessage());
            throw e;
        }
    }
}
