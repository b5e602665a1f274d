package io.clpool.cli;

import io.clpool.Algorithm;
import io.clpool.Pooling;
import io.clpool.opencl.ClContext;
import io.clpool.opencl.OpenClPooling;
import io.clpool.reference.ReferencePooling;

/** The backend a command runs on, with the OpenCL context it owns (null for the reference). */
final class Backend implements AutoCloseable {
    private final Pooling pooling;
    private final ClContext context;

    private Backend(Pooling pooling, ClContext context) {
        this.pooling = pooling;
        this.context = context;
    }

    static Backend reference() {
        return new Backend(new ReferencePooling(), null);
    }

    /** The default OpenCL device; throws {@link io.clpool.opencl.OpenClUnavailableException} without one. */
    static Backend openCl(Algorithm algorithm) {
        ClContext context = ClContext.createDefault();
        try {
            return new Backend(new OpenClPooling(context, algorithm), context);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    Pooling pooling() {
        return pooling;
    }

    boolean isOpenCl() {
        return context != null;
    }

    /** What the results were computed on, for the user. */
    String describe() {
        return isOpenCl() ? "OpenCL " + context.device().describe() + " [" + ((OpenClPooling) pooling).algorithm() + "]"
                : "CPU (plain-Java reference)";
    }

    /** Starts recording device time; a no-op for the reference. */
    void startTiming() {
        if (isOpenCl()) {
            context.setProfiling(true);
            context.takeDeviceNanos();
        }
    }

    /** Device nanoseconds since {@link #startTiming()}, or -1 for the reference. */
    long deviceNanos() {
        return isOpenCl() ? context.takeDeviceNanos() : -1;
    }

    @Override
    public void close() {
        if (pooling instanceof OpenClPooling openCl) {
            openCl.close();
        }
        if (context != null) {
            context.close();
        }
    }
}
