package io.clpool.reference;

import io.clpool.support.ConformanceCase;
import io.clpool.support.ConformanceCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The reference reproduces every PyTorch-exported case, for every op. */
class ReferenceConformanceTest {

    static java.util.List<ConformanceCase> cases() {
        return ConformanceCase.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(ConformanceCase c) {
        ConformanceCheck.run(new ReferencePooling(), c);
    }
}
