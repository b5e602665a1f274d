package io.clpool.pipeline;

import static io.clpool.pipeline.Events.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clpool.opencl.DeviceInfo;
import io.clpool.support.TestDevices;
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
import org.jocl.blast.CLBlast;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * conv2d (CLBlast) → ReLU on raw JOCL objects, chained by events only. The convolution waits on
 * two user events that the test opens only after everything is enqueued, one at a time: a
 * blocking call anywhere in the chain would hang the enqueueing (caught by a timeout), and
 * nothing may run while one gate is still closed. Results are compared with the plain-Java
 * references. Every native object the test makes is released; CLBlast's program cache, which
 * holds a reference to this context (its count drops by one when the cache is cleared), is
 * cleared before the context goes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClBlastConvolutionTest {
    private cl_context context;
    private cl_command_queue queue;

    @BeforeAll
    @SuppressWarnings("deprecation") // clCreateCommandQueue: the OpenCL 1.2 call; in-order, as CLBlast needs
    void createContextAndQueue() {
        DeviceInfo info = TestDevices.selectDevice();
        int[] status = new int[1];
        cl_context_properties properties = new cl_context_properties();
        properties.addProperty(CL.CL_CONTEXT_PLATFORM, info.platform());
        context = CL.clCreateContext(properties, 1, new cl_device_id[] {info.device()}, null, null, status);
        check(status[0], "clCreateContext");
        queue = CL.clCreateCommandQueue(context, info.device(), 0, status);
        check(status[0], "clCreateCommandQueue");
    }

    @AfterAll
    void release() {
        CLBlast.CLBlastClearCache();
        if (queue != null) check(CL.clReleaseCommandQueue(queue), "clReleaseCommandQueue");
        if (context != null) check(CL.clReleaseContext(context), "clReleaseContext");
    }

    // N, C, H, W, K, R, S, pad: awkward sizes; H ≠ W and R ≠ S catch swapped axes; padding kept and not
    @ParameterizedTest(name = "N={0} C={1} H={2} W={3} K={4} R={5} S={6} pad={7}")
    @CsvSource({
        "2, 3, 9, 9, 4, 3, 3, 1",
        "3, 2, 7, 10, 5, 2, 3, 1",
        "1, 5, 6, 5, 3, 5, 1, 0",
    })
    void convThenReluChainedByEventsEqualsTheReference(int n, int c, int h, int width, int k, int r, int s, int pad)
            throws Exception {
        int outCount = n * k * ClBlastConvolution.outputSize(h, r, pad) * ClBlastConvolution.outputSize(width, s, pad);
        Random random = new Random(20261125L + n * 31 + h);
        float[] x = uniform(random, n * c * h * width);
        float[] w = uniform(random, k * c * r * s);

        Deque<Runnable> release = new ArrayDeque<>(); // what this test makes, undone last-first
        try {
            cl_mem xBuf = buffer(CL.CL_MEM_READ_ONLY | CL.CL_MEM_COPY_HOST_PTR, x, x.length, release);
            cl_mem wBuf = buffer(CL.CL_MEM_READ_ONLY | CL.CL_MEM_COPY_HOST_PTR, w, w.length, release);
            cl_mem yBuf = buffer(CL.CL_MEM_READ_WRITE, null, outCount, release);
            cl_mem zBuf = buffer(CL.CL_MEM_WRITE_ONLY, null, outCount, release);
            cl_event gateA = userEvent(release);
            cl_event gateB = userEvent(release);
            cl_event[] events = new cl_event[2];
            release.push(() -> {
                for (cl_event e : events) if (e != null) CL.clReleaseEvent(e);
            });
            // before anything goes: both gates open (a second opening fails harmlessly), nothing in flight
            release.push(() -> {
                CL.clSetUserEventStatus(gateA, CL.CL_COMPLETE);
                CL.clSetUserEventStatus(gateB, CL.CL_COMPLETE);
                CL.clFinish(queue);
            });

            enqueueWithGatesClosed(() -> {
                events[0] = ClBlastConvolution.conv2d(queue, xBuf, wBuf, yBuf, n, c, h, width, k, r, s, pad, gateA, gateB);
                events[1] = Relu.forward(queue, yBuf, zBuf, outCount, events[0]);
            });
            assertWaiting(events[1], "relu, both gates closed");
            check(CL.clSetUserEventStatus(gateA, CL.CL_COMPLETE), "clSetUserEventStatus(gateA)");
            Thread.sleep(50); // room to go wrong: conv must still wait for gateB
            assertWaiting(events[0], "conv2d, gateB still closed");
            assertWaiting(events[1], "relu, gateB still closed");
            check(CL.clSetUserEventStatus(gateB, CL.CL_COMPLETE), "clSetUserEventStatus(gateB)");

            float[] z = read(zBuf, outCount, events[1]);
            assertEquals(CL.CL_COMPLETE, executionStatus(events[0]), "conv2d's event after relu completed");
            float[] y = read(yBuf, outCount);

            float[] expectedY = ClBlastConvolution.reference(x, w, n, c, h, width, k, r, s, pad);
            // Σ|x·w| of every output: the scale of the rounding error of its sum
            float[] magnitude = ClBlastConvolution.reference(abs(x), abs(w), n, c, h, width, k, r, s, pad);
            assertClose(expectedY, y, magnitude, "conv2d");
            assertClose(Relu.reference(expectedY), z, magnitude, "relu(conv2d)");
        } finally {
            while (!release.isEmpty()) release.pop().run();
        }
    }

    @Test
    void reluInPlaceWaitsForItsEvent() throws Exception {
        float[] x = {-2f, -0f, 0f, 1.5f, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -1e-30f, 3f};
        Deque<Runnable> release = new ArrayDeque<>();
        try {
            cl_mem buf = buffer(CL.CL_MEM_READ_WRITE | CL.CL_MEM_COPY_HOST_PTR, x, x.length, release);
            cl_event gate = userEvent(release);
            cl_event[] done = new cl_event[1];
            release.push(() -> {
                if (done[0] != null) CL.clReleaseEvent(done[0]);
            });
            release.push(() -> {
                CL.clSetUserEventStatus(gate, CL.CL_COMPLETE);
                CL.clFinish(queue);
            });
            enqueueWithGatesClosed(() -> done[0] = Relu.forward(queue, buf, buf, x.length, gate));
            Thread.sleep(50);
            assertWaiting(done[0], "relu, gate closed");
            check(CL.clSetUserEventStatus(gate, CL.CL_COMPLETE), "clSetUserEventStatus");
            float[] y = read(buf, x.length, done[0]);
            float[] expected = Relu.reference(x);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(y[i]),
                        "relu(" + x[i] + "): expected " + expected[i] + " but was " + y[i]);
            }
        } finally {
            while (!release.isEmpty()) release.pop().run();
        }
    }

    /**
     * Runs the enqueueing on another thread: if anything in it blocked on the device it would
     * wait for a closed gate forever, so a timeout fails the test (whose cleanup opens the gates).
     */
    private static void enqueueWithGatesClosed(Runnable enqueue) throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<?> enqueued = executor.submit(enqueue);
            try {
                // generous: the first CLBlast call compiles its kernels, slowly on a loaded CPU
                enqueued.get(300, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("enqueueing did not return while its gates were closed: something in it blocks");
            }
        } finally {
            executor.shutdown();
        }
    }

    private static void assertWaiting(cl_event event, String what) {
        int status = executionStatus(event);
        assertTrue(status > CL.CL_COMPLETE, what + ": must not have run, but its status is " + status);
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

    private float[] read(cl_mem buf, int count, cl_event... waitFor) {
        float[] out = new float[count];
        check(CL.clEnqueueReadBuffer(queue, buf, CL.CL_TRUE, 0, (long) count * Sizeof.cl_float, Pointer.to(out),
                waitFor.length, waitFor.length == 0 ? null : waitFor, null), "clEnqueueReadBuffer");
        return out;
    }

    private cl_mem buffer(long flags, float[] data, int count, Deque<Runnable> release) {
        int[] status = new int[1];
        cl_mem mem = CL.clCreateBuffer(context, flags, (long) count * Sizeof.cl_float,
                data == null ? null : Pointer.to(data), status);
        check(status[0], "clCreateBuffer");
        release.push(() -> CL.clReleaseMemObject(mem));
        return mem;
    }

    private cl_event userEvent(Deque<Runnable> release) {
        int[] status = new int[1];
        cl_event event = CL.clCreateUserEvent(context, status);
        check(status[0], "clCreateUserEvent");
        release.push(() -> CL.clReleaseEvent(event));
        return event;
    }

    private static float[] uniform(Random random, int count) {
        float[] a = new float[count];
        for (int i = 0; i < count; i++) a[i] = random.nextFloat() * 2 - 1;
        return a;
    }

    private static float[] abs(float[] a) {
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Math.abs(a[i]);
        return b;
    }

}
