package io.clpool.bench;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.opencl.ClBuffer;
import io.clpool.opencl.ClContext;
import io.clpool.opencl.DevicePoolResult;
import io.clpool.opencl.DeviceTensor;
import io.clpool.opencl.Devices;
import io.clpool.opencl.PoolPlan;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.Checks;
import io.clpool.spec.DType;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Measures one pooling case on an OpenCL device against the floor that memory bandwidth sets.
 *
 * <p>Data stays on the device: input and gradient are uploaded once, forward and backward write
 * into buffers allocated once ({@code ...Into}), indices never leave the device. Each of
 * {@link Options#runs()} timed iterations (after {@link Options#warmup()} untimed ones) first
 * streams a flush buffer of twice the device's global memory cache through a copy, so no run
 * starts with its data in cache, and then times, one after the other: the forward, the backward,
 * {@code clEnqueueCopyBuffer} of a buffer the size of the input, and a vectorized copy kernel
 * ({@code copy_float4}) over the same buffer, and last an empty kernel over one work-item, whose
 * device time is the launch floor: no command can take less, so a small case is judged against
 * it rather than against bandwidth. Interleaving puts any load on a shared machine on every figure
 * alike. Reported are medians of device time (profiling events) and of wall time.
 *
 * <p>Effective bandwidth counts bytes read plus bytes written: forward input + output (+ int32
 * indices for max/min), backward grad-out (+ indices for max/min, + input and output for LP) +
 * grad-in; a copy of B bytes counts 2·B. Tensors count in their stored type (4 bytes per float32
 * element, 2 per float16 or bfloat16 element; indices 4), and the copies move a buffer of the
 * input's stored size. {@code copy_gbps} is the faster of the two copies. A case's tensors have
 * its {@link Options#dtype()} and its shape's layout (channels last: NHWC, NDHWC).
 * The single-threaded reference ({@link ReferencePooling}) runs the same case on the host.
 */
public final class Benchmark {
    /** The ops the benchmark knows, as the CLI spells them. */
    public static final List<String> OPS = List.of("max", "min", "avg", "lp");
    private static final double LP_NORM = 2.0;

    private Benchmark() {}

    /**
     * One case: {@code op} among {@link #OPS}; square kernel, stride and padding; {@code device}
     * as {@link Devices#select(String)} takes it (null: the default device); tensors of
     * {@code shape} (logical, in its layout) stored in {@code dtype}.
     */
    public record Options(String op, Shape shape, int kernel, int stride, int padding, String device, Algorithm algorithm,
                          int warmup, int runs, int referenceRuns, DType dtype) {
        public Options {
            Checks.requireNonNull(op, "op");
            Checks.requireNonNull(shape, "shape");
            Checks.requireNonNull(algorithm, "algorithm");
            Checks.requireNonNull(dtype, "dtype");
            if (!OPS.contains(op)) {
                throw new IllegalArgumentException("op should be one of " + OPS + " (adaptive pooling has no fixed window"
                        + " to benchmark here), but got op: " + op);
            }
            if (runs < 10) {
                throw new IllegalArgumentException("runs should be at least 10 for a median, but got runs: " + runs);
            }
            if (warmup < 0 || referenceRuns < 0) {
                throw new IllegalArgumentException("warmup and referenceRuns should be >= 0, but got warmup: " + warmup
                        + ", referenceRuns: " + referenceRuns);
            }
            poolOp(op, spec(kernel, stride, padding, shape.volumetric())); // validates the window and the op's own rules (LP: no padding)
        }

        /** A float32 case. */
        public Options(String op, Shape shape, int kernel, int stride, int padding, String device, Algorithm algorithm,
                       int warmup, int runs, int referenceRuns) {
            this(op, shape, kernel, stride, padding, device, algorithm, warmup, runs, referenceRuns, DType.FLOAT32);
        }

        /** Defaults: default device, AUTO, 3 warm-up runs, 11 timed runs, 3 reference runs. */
        public static Options of(String op, Shape shape, int kernel, int stride, int padding) {
            return new Options(op, shape, kernel, stride, padding, null, Algorithm.AUTO, 3, 11, 3);
        }

        public Options withAlgorithm(Algorithm a) {
            return new Options(op, shape, kernel, stride, padding, device, a, warmup, runs, referenceRuns, dtype);
        }

        public Options withDevice(String d) {
            return new Options(op, shape, kernel, stride, padding, d, algorithm, warmup, runs, referenceRuns, dtype);
        }

        public Options withRuns(int w, int r, int ref) {
            return new Options(op, shape, kernel, stride, padding, device, algorithm, w, r, ref, dtype);
        }

        /** The same case with its tensors stored in {@code type} and {@code layout}. */
        public Options withFormat(DType type, io.clpool.spec.Layout layout) {
            return new Options(op, shape.withLayout(layout), kernel, stride, padding, device, algorithm, warmup, runs, referenceRuns, type);
        }

        /** The window: square (cubic for a 5-D shape) with the same stride and padding on every spatial axis. */
        public PoolSpec spec() {
            return spec(kernel, stride, padding, shape.volumetric());
        }

        /** The op this case measures: the one place the benchmark turns its op name into a {@link PoolOp}. */
        public PoolOp poolOp() {
            return poolOp(op, spec());
        }

        private static PoolOp poolOp(String op, PoolSpec spec) {
            return switch (op) {
                case "max" -> PoolOp.max(spec);
                case "min" -> PoolOp.min(spec);
                case "avg" -> PoolOp.avg(spec);
                case "lp" -> PoolOp.lp(spec, LP_NORM);
                default -> throw new IllegalStateException(op);
            };
        }

        private static PoolSpec spec(int kernel, int stride, int padding, boolean volumetric) {
            return (volumetric ? PoolSpec.of3d(kernel) : PoolSpec.of(kernel)).withStride(stride).withPadding(padding);
        }
    }

    /**
     * Medians in milliseconds and GB/s (10^9 bytes per second). A figure that could not be measured
     * (for example IM2COL's column buffer over the device's maximum allocation) is NaN and
     * {@code note} says why; reference times are NaN when no reference run was asked for.
     * {@code launchFloorMs} is the median device time of an empty kernel's launch, measured in the
     * same iterations (a forward or backward of several kernels pays it once per kernel).
     */
    public record Result(String device, String op, Shape shape, PoolSpec spec, Algorithm algorithm, int runs,
                         double forwardMs, double backwardMs, double forwardWallMs, double backwardWallMs,
                         long forwardBytes, long backwardBytes, double forwardGbps, double backwardGbps,
                         double copyBufferGbps, double copyKernelGbps, double copyGbps,
                         double referenceForwardMs, double referenceBackwardMs, double planCreateMs,
                         double planEnqueueMicros, double rawEnqueueMicros, double launchFloorMs, String note, DType dtype) {

        /** A float32 result. */
        public Result(String device, String op, Shape shape, PoolSpec spec, Algorithm algorithm, int runs,
                      double forwardMs, double backwardMs, double forwardWallMs, double backwardWallMs,
                      long forwardBytes, long backwardBytes, double forwardGbps, double backwardGbps,
                      double copyBufferGbps, double copyKernelGbps, double copyGbps,
                      double referenceForwardMs, double referenceBackwardMs, double planCreateMs,
                      double planEnqueueMicros, double rawEnqueueMicros, double launchFloorMs, String note) {
            this(device, op, shape, spec, algorithm, runs, forwardMs, backwardMs, forwardWallMs, backwardWallMs, forwardBytes,
                    backwardBytes, forwardGbps, backwardGbps, copyBufferGbps, copyKernelGbps, copyGbps, referenceForwardMs,
                    referenceBackwardMs, planCreateMs, planEnqueueMicros, rawEnqueueMicros, launchFloorMs, note, DType.FLOAT32);
        }

        /** The memory order of the case's tensors: NCHW, NHWC, NCDHW or NDHWC. */
        public String layout() {
            return shape.layout().order(shape.spatialAxes());
        }

        public double forwardRatio() {
            return forwardGbps / copyGbps;
        }

        public double backwardRatio() {
            return backwardGbps / copyGbps;
        }

        /** Forward device time in multiples of the launch floor (an empty kernel's device time). */
        public double forwardFloorMultiple() {
            return forwardMs / launchFloorMs;
        }

        /** Backward device time in multiples of the launch floor. */
        public double backwardFloorMultiple() {
            return backwardMs / launchFloorMs;
        }

        /** Bytes the forward and backward move together: the x axis of the size sweep. */
        public long workingSetBytes() {
            return forwardBytes + backwardBytes;
        }

        public String toJson() {
            StringBuilder b = new StringBuilder("{");
            field(b, "device", quote(device));
            field(b, "op", quote(op));
            field(b, "shape", java.util.Arrays.toString(shape.toLongArray()));
            field(b, "dtype", quote(dtype.label()));
            field(b, "layout", quote(layout()));
            field(b, "kernel", "[" + (spec.volumetric() ? spec.kernelD() + ", " : "") + spec.kernelH() + ", " + spec.kernelW() + "]");
            field(b, "stride", "[" + (spec.volumetric() ? spec.strideD() + ", " : "") + spec.strideH() + ", " + spec.strideW() + "]");
            field(b, "padding", "[" + (spec.volumetric() ? spec.padD() + ", " : "") + spec.padH() + ", " + spec.padW() + "]");
            field(b, "algorithm", quote(algorithm.name()));
            field(b, "runs", Integer.toString(runs));
            field(b, "forward_ms", number(forwardMs));
            field(b, "backward_ms", number(backwardMs));
            field(b, "forward_wall_ms", number(forwardWallMs));
            field(b, "backward_wall_ms", number(backwardWallMs));
            field(b, "forward_bytes", Long.toString(forwardBytes));
            field(b, "backward_bytes", Long.toString(backwardBytes));
            field(b, "forward_gbps", number(forwardGbps));
            field(b, "backward_gbps", number(backwardGbps));
            field(b, "copy_gbps", number(copyGbps));
            field(b, "copy_buffer_gbps", number(copyBufferGbps));
            field(b, "copy_kernel_gbps", number(copyKernelGbps));
            field(b, "forward_ratio", number(forwardRatio()));
            field(b, "backward_ratio", number(backwardRatio()));
            field(b, "reference_forward_ms", number(referenceForwardMs));
            field(b, "reference_backward_ms", number(referenceBackwardMs));
            field(b, "plan_create_ms", number(planCreateMs));
            field(b, "plan_enqueue_us", number(planEnqueueMicros));
            field(b, "raw_enqueue_us", number(rawEnqueueMicros));
            field(b, "launch_floor_ms", Double.isFinite(launchFloorMs) // microseconds: 4 decimals of ms would be too few
                    ? String.format(Locale.ROOT, "%.6f", launchFloorMs) : "null");
            field(b, "forward_floor_multiple", number(forwardFloorMultiple()));
            field(b, "backward_floor_multiple", number(backwardFloorMultiple()));
            field(b, "note", note == null ? "null" : quote(note));
            b.setLength(b.length() - 2);
            return b.append("}").toString();
        }

        /** A human-readable report of every figure. */
        public String report() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "device     %s%n", device));
            b.append(String.format(Locale.ROOT, "case       %s %s %s %s %s algorithm=%s, medians of %d runs%n", op,
                    shape.withLayout(io.clpool.spec.Layout.CHANNELS_FIRST), dtype.label(), layout(), spec, algorithm, runs));
            b.append(String.format(Locale.ROOT, "copy       %.2f GB/s (clEnqueueCopyBuffer %.2f, copy_float4 kernel %.2f)%n",
                    copyGbps, copyBufferGbps, copyKernelGbps));
            b.append(String.format(Locale.ROOT, "launch     %.4f ms device (%.2f us): the floor, an empty kernel's launch"
                    + " (median)%n", launchFloorMs, launchFloorMs * 1e3));
            b.append(line("forward", forwardMs, forwardWallMs, forwardBytes, forwardGbps, forwardRatio(), referenceForwardMs,
                    forwardFloorMultiple()));
            b.append(line("backward", backwardMs, backwardWallMs, backwardBytes, backwardGbps, backwardRatio(),
                    referenceBackwardMs, backwardFloorMultiple()));
            b.append(String.format(Locale.ROOT, "plan       created in %.1f ms; host time per enqueued forward %s us "
                    + "(raw JOCL enqueue of an empty kernel: %s us)%n", planCreateMs, cell(planEnqueueMicros, "%.1f"),
                    cell(rawEnqueueMicros, "%.1f")));
            if (note != null) {
                b.append("note       ").append(note).append(System.lineSeparator());
            }
            return b.toString();
        }

        private static String line(String what, double ms, double wallMs, long bytes, double gbps, double ratio, double refMs,
                                   double floorMultiple) {
            return String.format(Locale.ROOT,
                    "%-10s %9.3f ms device, %9.3f ms wall, %8.1f MB, %6.2f GB/s = %.2f of copy, %s launch floor; "
                            + "reference %s%n",
                    what, ms, wallMs, bytes / 1e6, gbps, ratio,
                    String.format(Locale.ROOT, floorMultiple >= 100 ? "%.0fx" : "%.1fx", floorMultiple),
                    Double.isNaN(refMs) ? "not run" : String.format(Locale.ROOT, "%9.1f ms (%.0fx)", refMs, refMs / ms));
        }
    }

    // ---- running ---------------------------------------------------------------------------------

    /** Runs {@code options} on the device it names (or the default device). */
    public static Result run(Options options) {
        try (ClContext context = ClContext.create(Devices.select(options.device()))) {
            return run(context, options);
        }
    }

    /** Runs {@code options} on {@code context}'s device (the options' device is not consulted). */
    public static Result run(ClContext context, Options options) {
        Shape in = options.shape();
        PoolSpec spec = options.spec();
        PoolOp op = options.poolOp();
        Shape out = op.outputShape(in);
        boolean indexed = op.hasIndices();
        boolean readsInputAndOutput = op.backwardInputs() == PoolOp.BackwardInputs.INPUT_AND_OUTPUT;
        DType dtype = options.dtype();
        long inBytes = in.elementCount() * dtype.bytes();
        long outBytes = out.elementCount() * dtype.bytes();
        long indexBytes = indexed ? out.elementCount() * 4 : 0; // int32 on the device
        long forwardBytes = inBytes + outBytes + indexBytes;
        long backwardBytes = outBytes + indexBytes + (readsInputAndOutput ? inBytes + outBytes : 0) + inBytes;
        String device = context.device().describe();

        Tensor x = input(in, op, dtype);
        double[] reference = referenceTimes(options, x);

        long cache = Math.max(context.globalMemCacheBytes(), 1L << 20);
        long flushBytes = 2 * cache;
        double[] fwd = new double[options.runs()];
        double[] bwd = new double[options.runs()];
        double[] fwdWall = new double[options.runs()];
        double[] bwdWall = new double[options.runs()];
        double[] copyBuffer = new double[options.runs()];
        double[] copyKernel = new double[options.runs()];
        double[] launch = new double[options.runs()];
        String note = null;
        PoolPlan plan = null;
        long planStart = System.nanoTime();
        try {
            plan = PoolPlan.create(context, op, in, dtype, options.algorithm());
        } catch (IllegalArgumentException e) {
            note = options.algorithm() + " could not run this case: " + e.getMessage(); // copies are still measured
        }
        double planMs = (System.nanoTime() - planStart) / 1e6;
        boolean profiling = false;
        try (PoolPlan layer = plan;
             RawKernels raw = new RawKernels(context);
             ClBuffer flushA = context.allocate(flushBytes, "benchmark cache flush source");
             ClBuffer flushB = context.allocate(flushBytes, "benchmark cache flush target");
             // the input's numbers, as many bytes as it has stored (a half type's: half the floats)
             // (float64: the values as floats, then zeros: the copy measures bytes, not values)
             ClBuffer copySource = context.upload(Arrays.copyOf(x.dtype() == DType.FLOAT64 ? x.toType(DType.FLOAT32).data() : x.data(),
                     (int) ((inBytes + 3) / 4)), "benchmark copy source");
             ClBuffer copyTarget = context.allocate(inBytes, "benchmark copy target");
             DeviceTensor input = DeviceTensor.upload(context, x);
             DeviceTensor gradOut = DeviceTensor.upload(context, gradient(out, dtype));
             DeviceTensor gradIn = DeviceTensor.allocate(context, in, dtype);
             DevicePoolResult pooled = layer == null ? null : layer.allocateOutputs()) {
            // Every buffer written once before timing: untouched pages all map to the zero page, which a
            // copy reads from cache (that made clEnqueueCopyBuffer look 3 times faster than DRAM).
            context.zero(flushA, flushBytes);
            context.zero(flushB, flushBytes);
            context.zero(copyTarget, inBytes);
            Runnable forward = () -> RawKernels.release(enqueueForward(layer, input, pooled));
            Runnable backward = () -> RawKernels.release(enqueueBackward(layer, input, pooled, gradOut, gradIn));
            context.setProfiling(true);
            profiling = true;
            for (int i = 0; i < options.warmup() + options.runs(); i++) {
                int r = i - options.warmup();
                double[] f = {Double.NaN, Double.NaN};
                double[] b = {Double.NaN, Double.NaN};
                if (layer != null) {
                    f = time(context, flushA, flushB, flushBytes, forward);
                    b = time(context, flushA, flushB, flushBytes, backward);
                }
                double cb = time(context, flushA, flushB, flushBytes, () -> context.copy(copySource, copyTarget, inBytes))[0];
                double ck = time(context, flushA, flushB, flushBytes, () -> raw.copy(copySource, copyTarget, inBytes / 16))[0];
                context.timeEvent(raw.empty()); // no flush: an empty kernel touches no memory
                double empty = context.takeDeviceNanos() / 1e6;
                if (r >= 0) {
                    fwd[r] = f[0];
                    fwdWall[r] = f[1];
                    bwd[r] = b[0];
                    bwdWall[r] = b[1];
                    copyBuffer[r] = cb;
                    copyKernel[r] = ck;
                    launch[r] = empty;
                }
            }
        } finally {
            if (profiling) {
                context.setProfiling(false);
            }
        }
        double copyBytes = 2.0 * (inBytes / 16 * 16);
        double cbGbps = gbps(copyBytes, median(copyBuffer));
        double ckGbps = gbps(copyBytes, median(copyKernel));
        double fMs = median(fwd);
        double bMs = median(bwd);
        EnqueueCost enqueue = plan == null ? new EnqueueCost(Double.NaN, Double.NaN)
                : enqueueCost(context, op, options.algorithm(), dtype, in.layout());
        return new Result(device, options.op(), in, spec, options.algorithm(), options.runs(), fMs, bMs, median(fwdWall),
                median(bwdWall), forwardBytes, backwardBytes, gbps(forwardBytes, fMs), gbps(backwardBytes, bMs), cbGbps, ckGbps,
                Double.isNaN(cbGbps) ? ckGbps : Double.isNaN(ckGbps) ? cbGbps : Math.max(cbGbps, ckGbps),
                reference[0], reference[1], planMs, enqueue.planMicros(), enqueue.rawMicros(), median(launch), note, dtype);
    }

    private static org.jocl.cl_event enqueueForward(PoolPlan plan, DeviceTensor input, DevicePoolResult pooled) {
        return plan.op().hasIndices() ? plan.forward(input, pooled.values(), pooled.indices()) : plan.forward(input, pooled.values());
    }

    private static org.jocl.cl_event enqueueBackward(PoolPlan plan, DeviceTensor input, DevicePoolResult pooled,
                                                     DeviceTensor gradOut, DeviceTensor gradIn) {
        return switch (plan.op().backwardInputs()) {
            case INDICES -> plan.backward(gradOut, pooled.indices(), gradIn);
            case NONE -> plan.backward(gradOut, gradIn);
            case INPUT_AND_OUTPUT -> plan.backward(gradOut, input, pooled.values(), gradIn);
        };
    }

    /** Host microseconds per enqueued call: a plan's forward, and a raw JOCL enqueue of an empty kernel. */
    public record EnqueueCost(double planMicros, double rawMicros) {}

    /** Calls per timed batch, and batches (the figure is the median batch's time per call). */
    private static final int ENQUEUE_BATCH = 200;
    private static final int ENQUEUE_BATCHES = 15;

    /**
     * The host time per enqueued call, measured on a small input (1×1×32×32, or 1×1×8×32×32 for a
     * 3-D op, so the device work queued meanwhile is small and competes little for the host's
     * cores): the wall time of a batch
     * of back-to-back enqueues divided by its size, median over batches, for the plan's forward and,
     * in the same batches' rhythm, for {@code clEnqueueNDRangeKernel} of an empty kernel with an
     * event out (what any JOCL caller pays). The device is drained between batches, untimed.
     */
    public static EnqueueCost enqueueCost(ClContext context, PoolOp op, Algorithm algorithm) {
        return enqueueCost(context, op, algorithm, DType.FLOAT32, io.clpool.spec.Layout.CHANNELS_FIRST);
    }

    /** As {@link #enqueueCost(ClContext, PoolOp, Algorithm)} for a plan of tensors stored in {@code dtype} and {@code layout}. */
    public static EnqueueCost enqueueCost(ClContext context, PoolOp op, Algorithm algorithm, DType dtype, io.clpool.spec.Layout layout) {
        Shape small = (op.spec() != null && op.spec().volumetric() ? Shape.of(1, 1, 8, 32, 32) : Shape.of(1, 1, 32, 32)).withLayout(layout);
        try {
            op.outputShape(small);
        } catch (IllegalArgumentException tooSmall) {
            return new EnqueueCost(Double.NaN, Double.NaN);
        }
        double[] plan = new double[ENQUEUE_BATCHES];
        double[] raw = new double[ENQUEUE_BATCHES];
        try (PoolPlan layer = PoolPlan.create(context, op, small, dtype, algorithm);
             RawKernels kernels = new RawKernels(context);
             DeviceTensor input = DeviceTensor.allocate(context, small, dtype);
             DevicePoolResult pooled = layer.allocateOutputs()) {
            for (int b = -2; b < ENQUEUE_BATCHES; b++) { // two untimed batches warm the path up
                org.jocl.cl_event[] events = new org.jocl.cl_event[ENQUEUE_BATCH];
                long start = System.nanoTime();
                for (int i = 0; i < ENQUEUE_BATCH; i++) {
                    events[i] = enqueueForward(layer, input, pooled);
                }
                long planNanos = System.nanoTime() - start;
                context.finish();
                RawKernels.release(events);
                start = System.nanoTime();
                for (int i = 0; i < ENQUEUE_BATCH; i++) {
                    events[i] = kernels.empty();
                }
                long rawNanos = System.nanoTime() - start;
                context.finish();
                RawKernels.release(events);
                if (b >= 0) {
                    plan[b] = planNanos / 1e3 / ENQUEUE_BATCH;
                    raw[b] = rawNanos / 1e3 / ENQUEUE_BATCH;
                }
            }
        }
        return new EnqueueCost(median(plan), median(raw));
    }

    /** Flushes the cache, then runs {@code work}: {device ms, wall ms}. */
    private static double[] time(ClContext context, ClBuffer flushA, ClBuffer flushB, long flushBytes, Runnable work) {
        context.copy(flushA, flushB, flushBytes);
        context.takeDeviceNanos(); // waits for the flush, and leaves it out of the figure
        long start = System.nanoTime();
        work.run();
        context.finish();
        long wall = System.nanoTime() - start;
        return new double[] {context.takeDeviceNanos() / 1e6, wall / 1e6};
    }

    /** Median ms of the single-threaded reference's forward and backward ({NaN, NaN} when not asked for). */
    private static double[] referenceTimes(Options options, Tensor x) {
        if (options.referenceRuns() == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        ReferencePooling reference = new ReferencePooling();
        PoolSpec spec = options.spec();
        double[] f = new double[options.referenceRuns()];
        double[] b = new double[options.referenceRuns()];
        PoolOp op = options.poolOp();
        for (int i = 0; i < f.length; i++) {
            long t0 = System.nanoTime();
            PoolResult r = reference.forward(op, x);
            long t1 = System.nanoTime();
            Tensor dy = gradient(r.values().shape(), x.dtype());
            long t2 = System.nanoTime();
            reference.backward(op, dy, x, r.values(), r.indices());
            f[i] = (t1 - t0) / 1e6;
            b[i] = (System.nanoTime() - t2) / 1e6;
        }
        return new double[] {median(f), median(b)};
    }

    private static Tensor input(Shape shape, PoolOp op, DType dtype) {
        Random random = new Random(42);
        float[] data = new float[shape.elementCountAsInt()];
        for (int i = 0; i < data.length; i++) {
            float v = (float) random.nextGaussian();
            data[i] = op instanceof PoolOp.Lp ? Math.abs(v) : v;
        }
        return Tensor.rounded(shape, data, dtype);
    }

    private static Tensor gradient(Shape shape, DType dtype) {
        Random random = new Random(7);
        float[] data = new float[shape.elementCountAsInt()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return Tensor.rounded(shape, data, dtype);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Writes a chart of {@code results} (GB/s and fraction of copy bandwidth against working set) as PNG. */
    public static void writePlot(List<Result> results, Path png) throws IOException {
        SweepPlot.write(results, png);
    }

    private static double gbps(double bytes, double ms) {
        return bytes / (ms * 1e6);
    }

    // ---- size sweep ------------------------------------------------------------------------------

    /**
     * The size sweep of the README: max 2×2 stride 2 at H=W ∈ {28, 56, 112, 224} × batch ∈ {1, 8,
     * 32} with C=64; then, at the bench shape {@link #SWEEP_SHAPE} only (one size each keeps the
     * sweep's runtime on a CPU device within minutes), max 3×3 stride 1 padding 1, max 3×3 stride 2
     * padding 1 (ResNet's stem), avg 2×2 stride 2 and min 2×2 stride 2; each on every algorithm in
     * {@code algorithms}. {@code ci/torch_bench.py} times the same cases in PyTorch.
     */
    public static List<Options> sweepCases(List<Algorithm> algorithms, int runs, int referenceRuns) {
        List<Options> cases = new ArrayList<>();
        for (int size : new int[] {28, 56, 112, 224}) {
            for (int batch : new int[] {1, 8, 32}) {
                for (Algorithm a : algorithms) {
                    cases.add(Options.of("max", Shape.of(batch, 64, size, size), 2, 2, 0).withAlgorithm(a)
                            .withRuns(3, runs, referenceRuns));
                }
            }
        }
        for (Options window : List.of(Options.of("max", SWEEP_SHAPE, 3, 1, 1), Options.of("max", SWEEP_SHAPE, 3, 2, 1),
                Options.of("avg", SWEEP_SHAPE, 2, 2, 0), Options.of("min", SWEEP_SHAPE, 2, 2, 0))) {
            for (Algorithm a : algorithms) {
                cases.add(window.withAlgorithm(a).withRuns(3, runs, referenceRuns));
            }
        }
        return cases;
    }

    /** The bench's default shape, at which the sweep measures its windows other than max 2×2. */
    public static final Shape SWEEP_SHAPE = Shape.of(32, 64, 112, 112);

    /** Writes {@code results} as a JSON array, one object per line. */
    public static void writeJson(List<Result> results, Path file) throws IOException {
        StringBuilder b = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            b.append("  ").append(results.get(i).toJson()).append(i + 1 < results.size() ? ",\n" : "\n");
        }
        Files.writeString(file, b.append("]\n").toString());
    }

    /** A Markdown table of {@code results}: the README's format. */
    public static String markdownTable(List<Result> results) {
        StringBuilder b = new StringBuilder();
        b.append("| op | shape | dtype | window | algorithm | fwd ms | fwd GB/s | fwd/copy | bwd ms | bwd GB/s | bwd/copy | copy GB/s"
                + " | ref fwd ms | ref bwd ms | fwd speed-up | bwd speed-up | launch floor ms |\n");
        b.append("|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            b.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %dx%d s%d p%d | %s | %s | %s | %s | %s | %s | %s | %.1f | %s | %s | %s | %s | %s |%n",
                    r.op(), r.shape(), r.dtype().label(), r.spec().kernelH(), r.spec().kernelW(), r.spec().strideH(), r.spec().padH(),
                    r.algorithm(), cell(r.forwardMs(), "%.2f"), cell(r.forwardGbps(), "%.1f"), cell(r.forwardRatio(), "%.2f"),
                    cell(r.backwardMs(), "%.2f"), cell(r.backwardGbps(), "%.1f"), cell(r.backwardRatio(), "%.2f"),
                    r.copyGbps(), cell(r.referenceForwardMs(), "%.0f"), cell(r.referenceBackwardMs(), "%.0f"),
                    cell(r.referenceForwardMs() / r.forwardMs(), "%.0fx"), cell(r.referenceBackwardMs() / r.backwardMs(), "%.0fx"),
                    cell(r.launchFloorMs(), "%.4f")));
        }
        return b.toString();
    }

    private static String cell(double v, String format) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, format, v);
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\": ").append(value).append(", ");
    }

    private static String number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
