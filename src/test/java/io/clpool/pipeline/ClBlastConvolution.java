package io.clpool.pipeline;

import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastKernelMode;
import org.jocl.blast.CLBlastStatusCode;

/**
 * A 2-D convolution (cross-correlation, as in PyTorch's {@code conv2d}: stride 1, dilation 1,
 * zero padding {@code pad} on every side, no bias) enqueued with CLBlast's {@code Sconvgemm},
 * for test pipelines; plus a plain-Java reference.
 *
 * <p>Layouts, all dense float32: input {@code x} N×C×H×W, weights K×C×R×S, output
 * N×K×OH×OW with {@code OH = H + 2·pad − R + 1}, {@code OW = W + 2·pad − S + 1}.
 *
 * <p>Nothing here blocks the host: no {@code clFinish}, no blocking transfer. CLBlast's C API
 * takes no event wait list, so when {@code waitFor} is not empty a barrier with that wait list
 * ({@code clEnqueueBarrierWithWaitList}) goes onto the queue first; everything CLBlast then
 * enqueues starts after it. The queue must be in-order (CLBlast needs that anyway: it chains its
 * own kernels by queue order), and then the event CLBlast returns, that of its last kernel,
 * completes only after the whole convolution. The caller owns that event and releases it; the
 * events in {@code waitFor} stay the caller's.
 */
public final class ClBlastConvolution {
    private ClBlastConvolution() {}

    /** Output rows (or columns) for an input of {@code size} and a kernel of {@code kernel}. */
    public static int outputSize(int size, int kernel, int pad) {
        return size + 2 * pad - kernel + 1;
    }

    /** Enqueues y = conv2d(x, w) after every event of {@code waitFor}; returns its completion event. */
    public static cl_event conv2d(cl_command_queue q, cl_mem x, cl_mem w, cl_mem y,
                                  int n, int c, int h, int width, int k, int r, int s, int pad,
                                  cl_event... waitFor) {
        checkGeometry(n, c, h, width, k, r, s, pad);
        Events.barrier(q, waitFor);
        cl_event done = new cl_event();
        int status = CLBlast.CLBlastSconvgemm(CLBlastKernelMode.CLBlastKernelModeCrossCorrelation,
                c, h, width, r, s, pad, pad, 1, 1, 1, 1, k, n,
                x, 0, w, 0, y, 0, q, done);
        if (status != CLBlastStatusCode.CLBlastSuccess) {
            throw new IllegalStateException("CLBlastSconvgemm failed with " + CLBlastStatusCode.stringFor(status)
                    + " (" + status + ")");
        }
        return done;
    }

    /** The convolution in plain Java, summed in double: N×K×OH×OW. */
    public static float[] reference(float[] x, float[] w, int n, int c, int h, int width, int k, int r, int s, int pad) {
        checkGeometry(n, c, h, width, k, r, s, pad);
        if (x.length != (long) n * c * h * width || w.length != (long) k * c * r * s) {
            throw new IllegalArgumentException("x should hold N*C*H*W = " + ((long) n * c * h * width)
                    + " and w K*C*R*S = " + ((long) k * c * r * s) + " floats, but got " + x.length + " and " + w.length);
        }
        int oh = outputSize(h, r, pad);
        int ow = outputSize(width, s, pad);
        float[] y = new float[n * k * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int f = 0; f < k; f++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double sum = 0;
                        for (int ch = 0; ch < c; ch++) {
                            for (int dr = 0; dr < r; dr++) {
                                int row = i + dr - pad;
                                if (row < 0 || row >= h) continue;
                                for (int ds = 0; ds < s; ds++) {
                                    int col = j + ds - pad;
                                    if (col < 0 || col >= width) continue;
                                    sum += (double) x[((b * c + ch) * h + row) * width + col]
                                            * w[((f * c + ch) * r + dr) * s + ds];
                                }
                            }
                        }
                        y[((b * k + f) * oh + i) * ow + j] = (float) sum;
                    }
                }
            }
        }
        return y;
    }

    private static void checkGeometry(int n, int c, int h, int width, int k, int r, int s, int pad) {
        if (n < 1 || c < 1 || h < 1 || width < 1 || k < 1 || r < 1 || s < 1 || pad < 0
                || outputSize(h, r, pad) < 1 || outputSize(width, s, pad) < 1) {
            throw new IllegalArgumentException("convolution geometry should be positive with a non-empty output, but got N="
                    + n + " C=" + c + " H=" + h + " W=" + width + " K=" + k + " R=" + r + " S=" + s + " pad=" + pad);
        }
    }
}
