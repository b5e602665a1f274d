package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.reference.ReferencePooling;
import io.clpool.support.ConformanceCase;
import io.clpool.support.ConformanceCheck;
import io.clpool.support.DeviceTest;
import io.clpool.support.TestAlgorithms;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 8 PyTorch-exported fractional max pooling cases (conformance2, float32 NCHW, with PyTorch's
 * {@code _random_samples}) on the reference and on OpenCL: values and indices bit for bit,
 * gradients within tolerance.
 */
class FractionalConformanceTest extends DeviceTest {

    static Stream<ConformanceCase> cases() {
        return ConformanceCase.fractional().stream();
    }

    Stream<Arguments> deviceCases() {
        return TestAlgorithms.ALL.stream().flatMap(a -> cases().map(c -> Arguments.of(a, c)));
    }

    @Test
    void allEightCasesAreThere() {
        assertEquals(8, cases().count());
        cases().forEach(c -> assertEquals("fractional-max", c.poolOp().name()));
    }

    @ParameterizedTest(name = "reference {0}")
    @MethodSource("cases")
    void referenceMatchesPyTorch(ConformanceCase c) {
        ConformanceCheck.run(new ReferencePooling(), c);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("deviceCases")
    void openClMatchesPyTorch(Algorithm algorithm, ConformanceCase c) {
        try (OpenClPooling device = new OpenClPooling(context, algorithm)) {
            ConformanceCheck.run(device, c);
        }
    }

    /** The op the case builds is a value: two loads of its samples are equal ops. */
    @ParameterizedTest(name = "value {0}")
    @MethodSource("cases")
    void opIsAValue(ConformanceCase c) {
        PoolOp a = c.poolOp();
        PoolOp b = c.poolOp();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }
}
