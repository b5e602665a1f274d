package io.clpool.opencl;

import io.clpool.Algorithm;
import io.clpool.support.ConformanceCase;
import io.clpool.support.ConformanceCheck;
import io.clpool.support.DeviceTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PyTorch-exported average and LP cases on DIRECT (and on AUTO, which picks it); max and min
 * run on every algorithm in {@link OpenClConformanceTest}.
 */
class DirectConformanceTest extends DeviceTest {
    private static final List<String> OPS = List.of("avg", "lp", "max", "min");
    Stream<ConformanceCase> cases() {
        return ConformanceCase.all().stream().filter(c -> OPS.contains(c.op()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void directMatchesPyTorch(ConformanceCase c) {
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            ConformanceCheck.run(device, c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void autoMatchesPyTorch(ConformanceCase c) {
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO)) {
            ConformanceCheck.run(device, c);
        }
    }
}
