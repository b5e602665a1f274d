package io.clpool.opencl;

/** The kinds of native OpenCL object a {@link ClContext} counts while they are alive. */
public enum NativeKind {
    CONTEXT, QUEUE, PROGRAM, KERNEL, BUFFER
}
