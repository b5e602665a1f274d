package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Inputs;
import io.clpool.support.TestAlgorithms;
import io.clpool.support.TestDevices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every native object the library creates is released: after close, after many calls, after failures. */
class NativeResourceTest {

    @Test
    void closingTheBackendAndContextReleasesEverything() {
        ClContext context = TestDevices.openContext();
        for (Algorithm algorithm : TestAlgorithms.ALL) {
            try (OpenClPooling pooling = new OpenClPooling(context, algorithm)) {
                Tensor x = Inputs.NORMAL.tensor(Shape.of(2, 3, 9, 11), 1);
                PoolSpec spec = PoolSpec.of(3).withStride(2).withPadding(1);
                PoolResult r = Calls.maxPool2d(pooling, x, spec);
                Calls.maxPool2dBackward(pooling, r.values(), r.indices(), x.shape(), spec);
            }
            assertEquals(0, context.liveObjects(NativeKind.BUFFER), "buffers alive after the backend closed");
        }
        assertEquals(1, context.liveObjects(NativeKind.CONTEXT));
        assertEquals(1, context.liveObjects(NativeKind.QUEUE));
        context.close();
        assertEquals(0, context.liveObjects(), "native objects alive after the context closed");
        context.close(); // closing twice is harmless
        assertEquals(0, context.liveObjects());
    }

    @Test
    void tenThousandForwardBackwardCallsLeakNothing() throws IOException {
        try (ClContext context = TestDevices.openContext();
             OpenClPooling pooling = new OpenClPooling(context, Algorithm.AUTO)) {
            Tensor x = Inputs.NORMAL.tensor(Shape.of(1, 2, 8, 8), 2);
            PoolSpec spec = PoolSpec.of(2);
            PoolResult warm = Calls.maxPool2d(pooling, x, spec);
            Calls.maxPool2dBackward(pooling, warm.values(), warm.indices(), x.shape(), spec);
            long buffersAfterWarmUp = context.liveObjects(NativeKind.BUFFER);
            long objectsAfterWarmUp = context.liveObjects();
            long rssBefore = residentKilobytes();
            for (int i = 0; i < 10_000; i++) {
                try (DeviceTensor in = Calls.upload(pooling, x);
                     DevicePoolResult r = Calls.maxPool2d(pooling, in, spec);
                     DeviceTensor grad = Calls.maxPool2dBackward(pooling, r.values(), r.indices(), x.shape(), spec)) {
                    if (i % 1000 == 0) {
                        grad.download();
                    }
                }
            }
            context.finish();
            System.out.println("NativeResourceTest: resident set " + rssBefore + " kB before, " + residentKilobytes()
                    + " kB after 10,000 device forward+backward calls");
            assertEquals(buffersAfterWarmUp, context.liveObjects(NativeKind.BUFFER), "buffers after 10,000 calls");
            assertEquals(objectsAfterWarmUp, context.liveObjects(), "native objects after 10,000 calls");
        }
    }

    @Test
    void failedCallsReleaseWhatTheyAllocated() {
        try (ClContext context = TestDevices.openContext();
             OpenClPooling im2col = new OpenClPooling(context, Algorithm.IM2COL)) {
            long before = context.liveObjects(NativeKind.BUFFER);
            // Invalid spec for the input: rejected before any device work.
            Tensor small = Inputs.NORMAL.tensor(Shape.of(1, 1, 3, 3), 3);
            assertThrows(IllegalArgumentException.class, () -> Calls.maxPool2d(im2col, small, PoolSpec.of(5)));
            // Bad user indices: rejected on the host before upload.
            Tensor dy = Inputs.NORMAL.tensor(Shape.of(1, 1, 1, 1), 4);
            assertThrows(IllegalArgumentException.class, () -> Calls.maxPool2dBackward(im2col, dy,
                    new IndexTensor(dy.shape(), new int[] {42}), small.shape(), PoolSpec.of(3)));
            // A column buffer larger than the device's maximum allocation: fails after the output
            // buffers exist, which must then be released.
            Tensor large = Inputs.NORMAL.tensor(Shape.of(1, 1, 1024, 1024), 5);
            PoolSpec huge = PoolSpec.of(31).withStride(1).withPadding(15);
            if (31L * 31 * 1024 * 1024 * 4 > context.device().maxAllocBytes()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Calls.maxPool2d(im2col, large, huge));
                org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("maximum allocation"), e.getMessage());
            }
            assertEquals(before, context.liveObjects(NativeKind.BUFFER), "buffers left behind by failed calls");
        }
    }

    private static long residentKilobytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
