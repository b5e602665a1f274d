package io.clpool.opencl;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.DType;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.DeviceTest;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The CPU family's average backward over disjoint windows, 8 windows per work-item
 * (direct.cl {@code avg_backward_band_segment}), where a row's last segment ends exactly at the
 * input's last column (OW a multiple of 8, W = OW·SW: whole vectors, like the inner segments) and
 * where it does not (padding, a band that runs past the last window): every storage type, with
 * gaps between windows (stride past the kernel), count_include_pad and divisor_override, against
 * the reference and with guard bands after the gradient.
 */
class AvgBandSegmentTest extends DeviceTest {
    private static final DType[] TYPES = {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16};
    private static final Shape[] SHAPES = {Shape.of(2, 3, 10, 16), Shape.of(1, 2, 9, 24), Shape.of(1, 4, 6, 32), Shape.of(1, 1, 4, 14),
        Shape.of(1, 2, 5, 17)};
    private static final PoolSpec[] WINDOWS = {PoolSpec.of(2), PoolSpec.of(2).withStride(3), PoolSpec.of(3, 2).withStride(3, 2),
        PoolSpec.of(2).withPadding(1)};
    private static final AvgOptions[] OPTIONS = {AvgOptions.DEFAULT, new AvgOptions(false, 0), new AvgOptions(true, 3)};

    private final ReferencePooling reference = new ReferencePooling();

    @TestFactory
    Stream<DynamicTest> lastSegmentsMatchTheReferenceInsideTheGradient() {
        List<DynamicTest> tests = new ArrayList<>();
        long seed = 53000;
        for (DType dtype : TYPES) {
            for (Shape shape : SHAPES) {
                for (PoolSpec window : WINDOWS) {
                    long caseSeed = seed++;
                    PoolOp op = PoolOp.avg(window, OPTIONS[(int) (caseSeed % OPTIONS.length)]);
                    if (!RandomizedDifferentialTest.fits(window, shape)) {
                        continue;
                    }
                    Inputs flavour = Inputs.values()[(int) (caseSeed % Inputs.values().length)];
                    String name = op + " " + dtype.label() + " " + shape + " " + flavour;
                    tests.add(dynamicTest(name, () -> {
                        Tensor x = flavour.tensor(shape, caseSeed).toType(dtype);
                        try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                            Differential.check(device, reference, op, x, null, caseSeed);
                        }
                        GuardBands.checkPasses(context, op, Algorithm.DIRECT, x, null, name);
                    }));
                }
            }
        }
        return tests.stream();
    }
}
