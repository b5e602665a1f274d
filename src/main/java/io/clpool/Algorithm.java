package io.clpool;

/** How the OpenCL backend computes a fixed-window pooling. */
public enum Algorithm {
    /** The default: the fastest algorithm for the op (currently {@link #DIRECT} where it exists). */
    AUTO,
    /** The seed's algorithm: im2col column buffer, per-column reduction, col2im gather backward. */
    IM2COL,
    /** One pass over the input, no column buffer. */
    DIRECT
}
