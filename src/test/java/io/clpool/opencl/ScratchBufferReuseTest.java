package io.clpool.opencl;

import io.clpool.support.Calls;
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
                    PoolResult max = Calls.maxPool2d(device, x, spec);
                    Calls.maxPool2dBackward(device, max.values(), max.indices(), shape, spec);
                    Tensor avg = Calls.avgPool2d(device, x, spec, AvgOptions.DEFAULT);
                    Calls.avgPool2dBackward(device, avg, shape, spec, AvgOptions.DEFAULT);
                    Calls.maxUnpool2d(device, max.values(), max.indices(), shape);
                }
                long scratch = context.liveObjects(NativeKind.BUFFER) - before;
                assertTrue(scratch <= PURPOSES, "at most one scratch buffer per purpose with " + algorithm + ", got " + scratch);
            }
            assertEquals(before, context.liveObjects(NativeKind.BUFFER), "closing the backend frees its scratch buffers");
        }
    }
}
