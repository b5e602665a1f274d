package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Inputs;
import io.clpool.support.TestAlgorithms;
import io.clpool.support.DeviceTest;
import org.junit.jupiter.api.Test;

/** Device-resident indices of unknown origin are checked on the device before any kernel uses them. */
class DeviceIndexCheckTest extends DeviceTest {
    private static final Shape INPUT = Shape.of(2, 3, 7, 9);
    private static final PoolSpec SPEC = PoolSpec.of(3).withStride(2).withPadding(1);

    @Test
    void uploadedIndicesOutsideTheirWindowAreNamed() {
        Tensor x = Inputs.NORMAL.tensor(INPUT, 1);
        PoolResult expected = new ReferencePooling().maxPool2d(x, SPEC);
        int[] bad = expected.indices().data().clone();
        bad[17] = 0; // output (0, 0, 3, 3) cannot reach input (0, 0)
        bad[40] = -5;
        for (var algorithm : TestAlgorithms.ALL) {
            try (OpenClPooling device = new OpenClPooling(context, algorithm);
                 DeviceIndices indices = Calls.upload(device, new IndexTensor(expected.indices().shape(), bad));
                 DeviceTensor gradOut = Calls.upload(device, Inputs.gradient(expected.values().shape(), 2))) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Calls.maxPool2dBackward(device, gradOut, indices, INPUT, SPEC));
                assertEquals("index should be inside its pooling window for an input plane of 7x9, but got index: 0 "
                        + "at output (n=0, c=0, h=3, w=2)", e.getMessage());
            }
        }
    }

    @Test
    void uploadedIndicesOutsideThePlaneAreNamed() {
        Tensor x = Inputs.NORMAL.tensor(INPUT, 1);
        PoolResult expected = new ReferencePooling().maxPool2d(x, SPEC);
        int[] bad = expected.indices().data().clone();
        bad[3] = 63;
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO);
             DeviceIndices indices = Calls.upload(device, new IndexTensor(expected.indices().shape(), bad));
             DeviceTensor gradOut = Calls.upload(device, Inputs.gradient(expected.values().shape(), 2))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Calls.maxPool2dBackward(device, gradOut, indices, INPUT, SPEC));
            assertEquals("index should be in [0, 63) for an input plane of 7x9, but got index: 63 at output "
                    + "(n=0, c=0, h=0, w=3)", e.getMessage());
        }
    }

    private static Tensor withBottomRowLarge(Shape shape) {
        Tensor t = Inputs.CONSTANT.tensor(shape, 0);
        for (int p = 0; p < shape.planes(); p++) {
            for (int w = 0; w < shape.w(); w++) {
                t.data()[(p * shape.h() + shape.h() - 1) * shape.w() + w] = 10f;
            }
        }
        return t;
    }

    @Test
    void validUploadedIndicesAndForeignForwardIndicesAreAccepted() {
        Tensor x = Inputs.TIES.tensor(INPUT, 3);
        ReferencePooling reference = new ReferencePooling();
        PoolResult expected = Calls.maxPool2d(reference, x, SPEC);
        Tensor gradOut = Inputs.gradient(expected.values().shape(), 4);
        Tensor expectedGrad = Calls.maxPool2dBackward(reference, gradOut, expected.indices(), INPUT, SPEC);
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO);
             DeviceIndices uploaded = Calls.upload(device, expected.indices());
             DeviceTensor dy = Calls.upload(device, gradOut);
             DeviceTensor grad = Calls.maxPool2dBackward(device, dy, uploaded, INPUT, SPEC)) {
            Compare.close(expectedGrad.data(), grad.download().data(), "gradient from uploaded indices");
        }
        // Indices a forward made for another input shape with the same output shape are checked, not
        // trusted: the last window row of an 8-row input reaches row 7, outside a 7-row plane.
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO);
             DeviceTensor bottomRowWins = Calls.upload(device, withBottomRowLarge(Shape.of(2, 3, 8, 9)));
             DevicePoolResult foreign = Calls.maxPool2d(device, bottomRowWins, SPEC);
             DeviceTensor dy = Calls.upload(device, Inputs.gradient(foreign.values().shape(), 6))) {
            assertEquals(expected.indices().shape(), foreign.indices().shape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Calls.maxPool2dBackward(device, dy, foreign.indices(), INPUT, SPEC));
            assertEquals("index should be in [0, 63) for an input plane of 7x9, but got index: 63 at output "
                    + "(n=0, c=0, h=3, w=0)", e.getMessage());
        }
    }
}
