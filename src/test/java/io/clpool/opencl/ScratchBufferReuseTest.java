package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Inputs;
import io.clpool.support.TestAlgorithms;
import io.clpool.support.DeviceTest;
import org.junit.jupiter.api.Test;

/**
 * One backend pooling many shapes keeps one scratch buffer per purpose (column values, column
 * sources, column gradients, unpooling owners), grown as needed, rather than one per shape.
 */
class ScratchBufferReuseTest extends DeviceTest {
    private static final int PURPOSES = 4;

    @Test
    void scratchBuffersAreKeptPerPurposeNotPerShape() {
        for (var algorithm : TestAlgorithms.ALL) {
            long before = context.liveObjects(NativeKind.BUFFER);
            try (OpenClPooling device = new OpenClPooling(context, algorithm)) {
                PoolSpec spec = PoolSpec.of(3).withStride(2).withPadding(1);
                for (Shape shape : new Shape[] {Shape.of(1, 1, 9, 9), Shape.of(2, 3, 7, 93), Shape.of(1, 2, 5, 6), Shape.of(3, 5, 17, 4)}) {
                    Tensor x = Inputs.NORMAL.tensor(shape, 5);
                    PoolResult max = device.maxPool2d(x, spec);
                    device.maxPool2dBackward(max.values(), max.indices(), shape, spec);
                    Tensor avg = device.avgPool2d(x, spec, AvgOptions.DEFAULT);
                    device.avgPool2dBackward(avg, shape, spec, AvgOptions.DEFAULT);
                    device.maxUnpool2d(max.values(), max.indices(), shape);
                }
                long scratch = context.liveObjects(NativeKind.BUFFER) - before;
                assertTrue(scratch <= PURPOSES, "at most one scratch buffer per purpose with " + algorithm + ", got " + scratch);
            }
            assertEquals(before, context.liveObjects(NativeKind.BUFFER), "closing the backend frees its scratch buffers");
        }
    }
}
