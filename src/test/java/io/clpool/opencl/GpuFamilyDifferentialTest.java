package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.reference.ReferencePooling;
import io.clpool.support.DeviceTest;
import io.clpool.support.Differential;
import io.clpool.support.SweepCase;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The GPU family of the DIRECT kernels (one output per work-item, row blocks down columns,
 * 32×8 work-groups), forced with {@code clpool.kernels=gpu} so that CI checks it on POCL: every
 * fixed-window op over the whole sweep against the reference, forward and backward.
 */
class GpuFamilyDifferentialTest extends DeviceTest {
    private String before;

    @BeforeAll
    void forceGpuFamily() {
        before = System.getProperty(KernelFamilies.KERNELS_PROPERTY);
        System.setProperty(KernelFamilies.KERNELS_PROPERTY, "gpu");
    }

    @AfterAll
    void restore() {
        if (before == null) {
            System.clearProperty(KernelFamilies.KERNELS_PROPERTY);
        } else {
            System.setProperty(KernelFamilies.KERNELS_PROPERTY, before);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFixedWindowOpMatchesTheReference() {
        List<SweepCase> cases = SweepCase.fixedWindowSweep(true);
        assertTrue(cases.size() > 300, "the sweep should cover hundreds of cases, got " + cases.size());
        ReferencePooling reference = new ReferencePooling();
        return Stream.of("max", "min", "avg", "lp").flatMap(op -> cases.stream()
                .filter(c -> !op.equals("lp") || !c.spec().hasPadding())
                .map(c -> dynamicTest("gpu family " + op + " " + c, () -> {
                    assertTrue(!KernelFamilies.cpuFamily(context), "the GPU family should be forced");
                    Differential.check(new OpenClPooling(context, Algorithm.DIRECT), reference, op, c.input(), c.spec(), c.seed());
                })));
    }
}
