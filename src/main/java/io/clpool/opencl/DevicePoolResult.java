package io.clpool.opencl;

import io.clpool.PoolResult;

/** Values and indices of an indexed pooling, both on the device. Closing releases both. */
public record DevicePoolResult(DeviceTensor values, DeviceIndices indices) implements AutoCloseable {

    public PoolResult download() {
        return new PoolResult(values.download(), indices == null ? null : indices.download());
    }

    @Override
    public void close() {
        try (DeviceIndices i = indices) {
            values.close();
        }
    }
}
