package io.clpool.opencl;

import io.clpool.Algorithm;
import io.clpool.support.ConformanceCase;
import io.clpool.support.ConformanceCheck;
import io.clpool.support.TestAlgorithms;
import io.clpool.support.DeviceTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every PyTorch-exported case, all six ops, on every algorithm. */
class OpenClConformanceTest extends DeviceTest {
    private static final List<String> OPS = List.of("max", "min", "avg", "lp", "adaptive-max", "adaptive-avg");
    Stream<Arguments> cases() {
        return TestAlgorithms.ALL.stream().flatMap(a -> ConformanceCase.all().stream()
                .filter(c -> OPS.contains(c.op())).map(c -> Arguments.of(a, c)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorch(Algorithm algorithm, ConformanceCase c) {
        try (OpenClPooling device = new OpenClPooling(context, algorithm)) {
            ConformanceCheck.run(device, c);
        }
    }
}
