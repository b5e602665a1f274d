package io.clpool.opencl;

import io.clpool.spec.Checks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jocl.CL;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's OpenCL context, the in-order command queue clpool enqueues on, and a cache of
 * built programs keyed by kernel file and build options. A context is either clpool's own
 * ({@link #create}, {@link #createDefault}: it creates the {@code cl_context} and a profiling
 * queue, and releases them on {@link #close()}) or borrowed from the caller ({@link #wrap}: it
 * retains the caller's context and queue, and close releases exactly those retains, so the
 * caller's objects stay alive and usable). Everything native it creates is counted while alive
 * ({@link #liveObjects()}). Methods are thread-safe: dispatches are serialized on this object.
 */
public final class ClContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClContext.class);

    private final DeviceInfo device;
    private final boolean borrowed;
    private final Map<NativeKind, AtomicLong> live = new EnumMap<>(NativeKind.class);
    private final Map<String, ClProgram> programs = new HashMap<>();
    private final List<cl_event> pendingEvents = new ArrayList<>();
    private cl_context context;
    private cl_command_queue queue;
    private final boolean queueProfiles;
    private final boolean queueInOrder;
    private boolean profiling;
    private long maxAllocationLimit = Long.MAX_VALUE;

    private ClContext(DeviceInfo device) {
        this.device = device;
        this.borrowed = false;
        this.queueProfiles = true;
        this.queueInOrder = true;
        countNothing();
        int[] status = new int[1];
        cl_context_properties properties = new cl_context_properties();
        properties.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform());
        context = CL.clCreateContext(properties, 1, new cl_device_id[] {device.device()}, null, null, status);
        ClException.check(status[0], "clCreateContext");
        created(NativeKind.CONTEXT);
        try {
            queue = createQueue(context, device.device());
            created(NativeKind.QUEUE);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Borrows the caller's objects, retaining each; the caller checked that they belong together. */
    private ClContext(DeviceInfo device, cl_context context, cl_command_queue queue, long queueProperties) {
        this.device = device;
        this.borrowed = true;
        this.queueProfiles = (queueProperties & CL.CL_QUEUE_PROFILING_ENABLE) != 0;
        this.queueInOrder = (queueProperties & CL.CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE) == 0;
        countNothing();
        ClException.check(CL.clRetainContext(context), "clRetainContext");
        this.context = context;
        created(NativeKind.CONTEXT);
        int retained = CL.clRetainCommandQueue(queue);
        if (retained != CL.CL_SUCCESS) {
            close();
            ClException.check(retained, "clRetainCommandQueue");
        }
        this.queue = queue;
        created(NativeKind.QUEUE);
    }

    private void countNothing() {
        for (NativeKind kind : NativeKind.values()) {
            live.put(kind, new AtomicLong());
        }
    }

    @SuppressWarnings("deprecation") // clCreateCommandQueue is the call OpenCL 1.2 devices understand
    private static cl_command_queue createQueue(cl_context context, cl_device_id device) {
        int[] status = new int[1];
        cl_command_queue queue = CL.clCreateCommandQueue(context, device, CL.CL_QUEUE_PROFILING_ENABLE, status);
        ClException.check(status[0], "clCreateCommandQueue");
        return queue;
    }

    /**
     * Borrows a caller's OpenCL objects: clpool enqueues all its work on {@code queue}, which must
     * belong to {@code context} and {@code device}. Each is retained here and that retain is
     * released by {@link #close()}; the caller keeps its own references and may go on using them
     * after this context is closed. Buffers the caller wraps ({@link DeviceTensor#wrap}) must
     * belong to {@code context}.
     *
     * <p>The queue may be in-order or out-of-order, with or without profiling. On an in-order
     * queue every clpool command runs after everything enqueued before it. On an out-of-order
     * queue, clpool orders its own commands within one call by events, and orders each call after
     * the events it is given: pass the event of whatever produced a call's inputs (and, when calls
     * of one plan could overlap, the previous call's event) in {@code waitFor}. Device timing
     * ({@link #setProfiling}) needs a queue created with {@code CL_QUEUE_PROFILING_ENABLE}.
     *
     * @throws IllegalArgumentException when an argument is null or the queue does not belong to
     *         the context and device
     */
    public static ClContext wrap(cl_context context, cl_device_id device, cl_command_queue queue) {
        Checks.requireNonNull(context, "context");
        Checks.requireNonNull(device, "device");
        Checks.requireNonNull(queue, "queue");
        cl_context queueContext = new cl_context();
        ClException.check(CL.clGetCommandQueueInfo(queue, CL.CL_QUEUE_CONTEXT, Sizeof.cl_context, Pointer.to(queueContext),
                null), "clGetCommandQueueInfo(CL_QUEUE_CONTEXT)");
        if (!sameObject(queueContext, context)) {
            throw new IllegalArgumentException("the queue should belong to the given context, but got a queue of another context");
        }
        cl_device_id queueDevice = new cl_device_id();
        ClException.check(CL.clGetCommandQueueInfo(queue, CL.CL_QUEUE_DEVICE, Sizeof.cl_device_id, Pointer.to(queueDevice),
                null), "clGetCommandQueueInfo(CL_QUEUE_DEVICE)");
        if (!sameObject(queueDevice, device)) {
            throw new IllegalArgumentException("the queue should belong to the given device, but got a queue of another device");
        }
        long[] properties = new long[1];
        ClException.check(CL.clGetCommandQueueInfo(queue, CL.CL_QUEUE_PROPERTIES, Sizeof.cl_ulong, Pointer.to(properties),
                null), "clGetCommandQueueInfo(CL_QUEUE_PROPERTIES)");
        DeviceInfo info = Devices.describe(device);
        ClContext wrapped = new ClContext(info, context, queue, properties[0]);
        LOG.info("clpool OpenCL device (caller's context): {}", info.describe());
        return wrapped;
    }

    /** True when two JOCL handles name the same native object. */
    static boolean sameObject(NativePointerObject a, NativePointerObject b) {
        return a.getNativePointer() == b.getNativePointer();
    }

    /** A context on {@code device}. */
    public static ClContext create(DeviceInfo device) {
        ClContext context = new ClContext(device);
        LOG.info("clpool OpenCL device: {}", device.describe());
        return context;
    }

    /** A context on the device chosen by {@link Devices#select()}. */
    public static ClContext createDefault() {
        return create(Devices.select());
    }

    public DeviceInfo device() {
        return device;
    }

    /** True when this context borrows the caller's OpenCL objects ({@link #wrap}). */
    public boolean isBorrowed() {
        return borrowed;
    }

    /** True until {@link #close()}. */
    public synchronized boolean isOpen() {
        return context != null;
    }

    /** True when the queue runs commands in order (clpool's own queue always does). */
    public boolean isInOrder() {
        return queueInOrder;
    }

    /** The native context; still owned by this object (or its caller, when wrapped). */
    public cl_context handle() {
        return context();
    }

    /** The command queue clpool enqueues on; still owned by this object (or its caller, when wrapped). */
    public cl_command_queue commandQueue() {
        return queue();
    }

    synchronized cl_command_queue queue() {
        if (queue == null) {
            throw new IllegalStateException("OpenCL context used after close");
        }
        return queue;
    }

    /**
     * A new uninitialized buffer of {@code bytes}; {@code purpose} names it in the error when it is
     * larger than the device's maximum allocation.
     */
    public synchronized ClBuffer allocate(long bytes, String purpose) {
        if (bytes > maxAllocBytes()) {
            throw new IllegalArgumentException(purpose + " needs " + bytes + " bytes, but the device's maximum allocation is "
                    + maxAllocBytes() + " bytes (CL_DEVICE_MAX_MEM_ALLOC_SIZE of " + device.name().trim()
                    + (maxAllocBytes() < device.maxAllocBytes() ? ", lowered by limitMaxAllocation" : "") + ")");
        }
        long size = Math.max(bytes, Sizeof.cl_float); // a zero-size buffer is invalid in OpenCL
        int[] status = new int[1];
        cl_mem mem = CL.clCreateBuffer(context(), CL.CL_MEM_READ_WRITE, size, null, status);
        ClException.check(status[0], "clCreateBuffer(" + size + " bytes for " + purpose + ")");
        created(NativeKind.BUFFER);
        return new ClBuffer(this, mem, size);
    }

    /**
     * The largest buffer this context allocates: the device's CL_DEVICE_MAX_MEM_ALLOC_SIZE, or less
     * after {@link #limitMaxAllocation}. Callers that split work to fit plan with this value.
     */
    public synchronized long maxAllocBytes() {
        return Math.min(device.maxAllocBytes(), maxAllocationLimit);
    }

    /**
     * Lowers the largest allocation below the device's own limit ({@code Long.MAX_VALUE} restores
     * it), so that code which splits work to fit the limit can be exercised on small data.
     */
    public synchronized void limitMaxAllocation(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("the allocation limit should be positive, but got bytes: " + bytes);
        }
        maxAllocationLimit = bytes;
    }

    /** The device's global memory cache (CL_DEVICE_GLOBAL_MEM_CACHE_SIZE) in bytes, 0 if it has none. */
    public long globalMemCacheBytes() {
        return Devices.deviceLong(device.device(), CL.CL_DEVICE_GLOBAL_MEM_CACHE_SIZE);
    }

    /**
     * Enqueues {@code clEnqueueCopyBuffer} of the first {@code bytes} of {@code source} into
     * {@code target} (recorded for {@link #takeDeviceNanos()} while profiling).
     */
    public synchronized void copy(ClBuffer source, ClBuffer target, long bytes) {
        if (bytes > source.bytes() || bytes > target.bytes()) {
            throw new IllegalArgumentException("a copy of " + bytes + " bytes should fit both buffers, but got "
                    + source.bytes() + " and " + target.bytes() + " bytes");
        }
        if (bytes == 0) {
            return;
        }
        ClException.check(CL.clEnqueueCopyBuffer(queue(), source.mem(), target.mem(), 0, 0, bytes, 0, null,
                profiling ? newEvent() : null), "clEnqueueCopyBuffer");
    }

    public ClBuffer upload(float[] data, String purpose) {
        ClBuffer buffer = allocate((long) data.length * Sizeof.cl_float, purpose);
        try {
            buffer.write(data);
            return buffer;
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
    }

    public ClBuffer upload(int[] data, String purpose) {
        ClBuffer buffer = allocate((long) data.length * Sizeof.cl_int, purpose);
        try {
            buffer.write(data);
            return buffer;
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
    }

    /** Fills the first {@code bytes} of a buffer with zero bytes. */
    public synchronized void zero(ClBuffer buffer, long bytes) {
        if (bytes == 0) {
            return;
        }
        ClException.check(CL.clEnqueueFillBuffer(queue(), buffer.mem(), Pointer.to(new int[] {0}), Sizeof.cl_int, 0, bytes,
                0, null, profiling ? newEvent() : null), "clEnqueueFillBuffer");
    }

    /**
     * The program built from {@code kernels/<file>} with {@code options}, built once per
     * (file, options) and cached. A build failure throws with the build log.
     */
    synchronized ClProgram program(String file, String options) {
        String key = file + "\u0000" + options;
        ClProgram program = programs.get(key);
        if (program == null) {
            program = build(file, options);
            programs.put(key, program);
        }
        return program;
    }

    private ClProgram build(String file, String options) {
        Path reports = BuildReports.folder(); // before any native object: it may refuse its value
        String buildOptions = reports == null ? options : BuildReports.options(options, device.extensions());
        String source = KernelSource.load(file);
        int[] status = new int[1];
        cl_program handle = CL.clCreateProgramWithSource(context(), 1, new String[] {source}, null, status);
        ClException.check(status[0], "clCreateProgramWithSource(" + file + ")");
        created(NativeKind.PROGRAM);
        ClProgram program = new ClProgram(this, handle, file + " [" + options + "]");
        int built;
        String log; // read once, where a report or a failure needs it
        try {
            built = buildOnLargeStack(handle, buildOptions, file);
            log = reports != null || built != CL.CL_SUCCESS ? buildLog(handle) : null;
            if (reports != null) {
                BuildReports.write(reports, file, buildOptions, device, built == CL.CL_SUCCESS, log);
            }
        } catch (RuntimeException | Error e) {
            program.close();
            throw e;
        }
        if (built != CL.CL_SUCCESS) {
            program.close();
            throw new ClException("building kernels/" + file + " with options '" + options + "' failed with "
                    + CL.stringFor_errorCode(built) + ":\n" + log);
        }
        LOG.debug("built kernels/{} with '{}'", file, options);
        return program;
    }

    /**
     * Stack of the thread that runs clBuildProgram. The OpenCL compiler runs on the calling
     * thread, and POCL's (LLVM's) recursion grows with the program: DIRECT's unrolled windows
     * overflowed a default 8 MB thread stack (a SIGSEGV that kills the JVM, issue 10). Reserved,
     * not committed: unused pages cost nothing.
     */
    static final long BUILD_STACK_BYTES = 256L << 20;

    /**
     * clBuildProgram on a dedicated thread with a {@link #BUILD_STACK_BYTES} stack, joined before
     * returning; whatever it throws is rethrown here. The build cannot be cancelled, so an
     * interrupt waits for it to end (the program must not be released while it builds) and is
     * then re-asserted on the calling thread.
     */
    private int buildOnLargeStack(cl_program handle, String options, String file) {
        int[] status = new int[1];
        Throwable[] failure = new Throwable[1];
        cl_device_id[] devices = {device.device()};
        Thread builder = new Thread(null, () -> {
            try {
                status[0] = CL.clBuildProgram(handle, 1, devices, options, null, null);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "clpool-build-" + file, BUILD_STACK_BYTES);
        builder.setDaemon(true);
        builder.start();
        boolean interrupted = false;
        while (true) {
            try {
                builder.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        if (failure[0] != null) {
            throw new IllegalStateException("clBuildProgram(" + file + ") failed", failure[0]);
        }
        return status[0];
    }

    private String buildLog(cl_program program) {
        long[] size = new long[1];
        CL.clGetProgramBuildInfo(program, device.device(), CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) Math.max(size[0], 1)];
        CL.clGetProgramBuildInfo(program, device.device(), CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return new String(log, java.nio.charset.StandardCharsets.UTF_8).trim();
    }

    /**
     * Sets the kernel's arguments and enqueues it over exactly {@code global} work-items, in
     * work-groups of {@code local} (null: the runtime chooses). Arguments are {@link ClBuffer},
     * Integer, Long or Float.
     */
    synchronized void run(ClKernel kernel, long[] global, long[] local, Object... args) {
        for (long size : global) {
            if (size == 0) {
                return; // nothing to do; a zero-size range is an error in OpenCL
            }
        }
        kernel.setArgs(args);
        ClException.check(CL.clEnqueueNDRangeKernel(queue(), kernel.handle(), global.length, null, global, local,
                0, null, profiling ? newEvent() : null), "clEnqueueNDRangeKernel(" + kernel.name() + ")");
    }

    /**
     * Enqueues a 1-D kernel that covers {@code count} items and returns early for work-items at or
     * past {@code count}: the range is rounded up to whole work-groups of the kernel's
     * {@link ClKernel#defaultWorkGroupSize()}. One fixed work-group size per kernel matters on
     * POCL, which compiles a kernel anew for every work-group size it meets: leaving the choice to
     * the runtime costs a compile for each new shape.
     */
    synchronized void runGuarded(ClKernel kernel, long count, Object... args) {
        long group = kernel.defaultWorkGroupSize();
        run(kernel, new long[] {(count + group - 1) / group * group}, new long[] {group}, args);
    }

    private cl_event newEvent() {
        cl_event event = new cl_event();
        pendingEvents.add(event);
        return event;
    }

    /** True while device timing is on: launches then hand their events to {@link #keepForTiming}. */
    synchronized boolean profiling() {
        return profiling;
    }

    /** Keeps an event (the caller's reference to it) until {@link #takeDeviceNanos()} sums and releases it. */
    synchronized void keepForTiming(cl_event event) {
        pendingEvents.add(event);
    }

    /**
     * Hands over the caller's reference to {@code event} of a command on this context's queue:
     * while device timing is on, {@link #takeDeviceNanos()} counts it and releases it; otherwise
     * it is released now.
     */
    public synchronized void timeEvent(cl_event event) {
        if (profiling) {
            pendingEvents.add(event);
        } else {
            CL.clReleaseEvent(event);
        }
    }

    /** Waits for every enqueued command. */
    public synchronized void finish() {
        ClException.check(CL.clFinish(queue()), "clFinish");
    }

    /**
     * Turns per-command device timing on or off. While on, every command records an event and
     * {@link #takeDeviceNanos()} sums their device execution times.
     */
    public synchronized void setProfiling(boolean on) {
        if (on && !queueProfiles) {
            throw new IllegalStateException("device timing needs a queue created with CL_QUEUE_PROFILING_ENABLE, "
                    + "but the wrapped queue has no profiling");
        }
        if (!on) {
            takeDeviceNanos();
        }
        profiling = on;
    }

    /** Device nanoseconds of the commands enqueued since the last call (while profiling); waits for them. */
    public synchronized long takeDeviceNanos() {
        long total = 0;
        if (!pendingEvents.isEmpty()) {
            finish();
        }
        long[] start = new long[1];
        long[] end = new long[1];
        for (cl_event event : pendingEvents) {
            CL.clGetEventProfilingInfo(event, CL.CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(start), null);
            CL.clGetEventProfilingInfo(event, CL.CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(end), null);
            total += end[0] - start[0];
            CL.clReleaseEvent(event);
        }
        pendingEvents.clear();
        return total;
    }

    synchronized cl_context context() {
        if (context == null) {
            throw new IllegalStateException("OpenCL context used after close");
        }
        return context;
    }

    void created(NativeKind kind) {
        live.get(kind).incrementAndGet();
    }

    void released(NativeKind kind) {
        live.get(kind).decrementAndGet();
    }

    /** Native objects of {@code kind} created through this context and not yet released. */
    public long liveObjects(NativeKind kind) {
        return live.get(kind).get();
    }

    /** All native objects created through this context and not yet released. */
    public long liveObjects() {
        return live.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /**
     * Releases the programs, kernels, and this object's references to the queue and context (for a
     * wrapped context, the retains {@link #wrap} took: the caller's objects live on). Buffers and
     * plans still open are the caller's leak. Closing twice is harmless.
     */
    @Override
    public synchronized void close() {
        if (queue != null) {
            takeDeviceNanos();
        }
        programs.values().forEach(ClProgram::close);
        programs.clear();
        if (queue != null) {
            CL.clReleaseCommandQueue(queue);
            queue = null;
            released(NativeKind.QUEUE);
        }
        if (context != null) {
            CL.clReleaseContext(context);
            context = null;
            released(NativeKind.CONTEXT);
        }
    }
}
