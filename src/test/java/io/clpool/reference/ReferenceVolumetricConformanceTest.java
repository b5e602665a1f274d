package io.clpool.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.PoolOp;
import io.clpool.support.ConformanceCase;
import io.clpool.support.ConformanceCheck;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference reproduces the 20 PyTorch 2.11 3-D cases of conformance2 (max_pool3d,
 * avg_pool3d, adaptive_max_pool3d, adaptive_avg_pool3d; float32, NCHW, 5-D): max and adaptive-max
 * values and indices bit for bit (NaN equals NaN), averages and every gradient within
 * {@link io.clpool.Tolerance} scaled by their terms' magnitudes.
 */
class ReferenceVolumetricConformanceTest {

    static Stream<ConformanceCase> cases() {
        return ConformanceCase.volumetric().stream();
    }

    @Test
    void allTwentyCasesAreThereAsThreeDimensionalOps() {
        assertEquals(20, cases().count());
        Map<String, Long> perOp = cases().collect(Collectors.groupingBy(ConformanceCase::op, TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("adaptive-avg3d", 4L, "adaptive-max3d", 4L, "avg3d", 4L, "max3d", 8L), perOp);
        cases().forEach(c -> {
            PoolOp op = c.poolOp();
            assertEquals(c.op().replace("3d", ""), op.name(), c.name());
            assertTrue(c.x().shape().volumetric(), c + " input is 5-D");
            assertEquals(op.outputShape(c.x().shape()), c.y().shape(), c + " output shape");
            if (op.spec() != null) {
                assertTrue(op.spec().volumetric(), c + " window is 3-D");
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(ConformanceCase c) {
        ConformanceCheck.run(new ReferencePooling(), c);
    }
}
