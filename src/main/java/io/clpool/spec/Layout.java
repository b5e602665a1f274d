package io.clpool.spec;

/**
 * How a tensor's elements lie in memory. Shapes are always logical, channels second
 * (N, C, H, W or N, C, D, H, W), whatever the layout; indices are logical in-plane offsets
 * ({@code d·H·W + h·W + w}) in both.
 */
public enum Layout {
    /** N, C, H, W (N, C, D, H, W): each (n, c) plane is contiguous. PyTorch's contiguous format. */
    CHANNELS_FIRST,
    /**
     * N, H, W, C (N, D, H, W, C): the channels of one position are contiguous. PyTorch's
     * {@code channels_last} / {@code channels_last_3d} memory formats.
     */
    CHANNELS_LAST;

    /** The memory order's name for a shape with {@code spatialAxes} spatial axes: NCHW, NHWC, NCDHW, NDHWC. */
    public String order(int spatialAxes) {
        String spatial = spatialAxes == 3 ? "DHW" : "HW";
        return this == CHANNELS_FIRST ? "NC" + spatial : "N" + spatial + "C";
    }
}
