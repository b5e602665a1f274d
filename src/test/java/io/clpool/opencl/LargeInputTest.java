package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.Algorithm;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.TestDevices;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A tensor of more than 2^31 bytes is pooled correctly: split by batch where the device's
 * maximum allocation needs it, and compared with the reference on a sample of planes.
 */
class LargeInputTest {

    @Test
    void moreThanTwoGibibytesOfInputIsPooledExactly() {
        Shape shape = Shape.of(9, 64, 1024, 1024); // 2.4e9 bytes
        assertTrue(shape.elementCount() * Float.BYTES > (1L << 31));
        float[] data = new float[shape.elementCountAsInt()];
        for (int i = 0; i < data.length; i++) {
            // Cheap deterministic values with many ties; now and then a NaN or an infinity.
            int hash = (int) ((i * 2654435761L) >>> 7);
            data[i] = (hash & 0xFFFFF) == 0 ? Float.NaN : (hash & 0xFFFFF) == 1 ? Float.NEGATIVE_INFINITY : (hash & 1023) - 512;
        }
        Tensor input = new Tensor(shape, data);
        PoolSpec spec = PoolSpec.of(2);
        PoolResult result;
        try (ClContext context = TestDevices.openContext();
             OpenClPooling pooling = new OpenClPooling(context, Algorithm.AUTO)) {
            result = Calls.maxPool2d(pooling, input, spec);
        }
        ReferencePooling reference = new ReferencePooling();
        Shape plane = Shape.of(1, 1, shape.h(), shape.w());
        int planeSize = (int) shape.planeSize();
        int outPlane = (int) result.values().shape().planeSize();
        for (long p : new long[] {0, 63, 64, 300, 511, shape.planes() - 1}) {
            int from = (int) (p * planeSize);
            Tensor one = new Tensor(plane, Arrays.copyOfRange(data, from, from + planeSize));
            PoolResult expected = Calls.maxPool2d(reference, one, spec);
            int at = (int) (p * outPlane);
            Compare.bitEqual(expected.values().data(), Arrays.copyOfRange(result.values().data(), at, at + outPlane), "plane " + p + " values");
            Compare.bitEqual(expected.indices().data(), Arrays.copyOfRange(result.indices().data(), at, at + outPlane), "plane " + p + " indices");
        }
    }
}
