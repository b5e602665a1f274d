package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
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
 * fixed-window op over the whole sweep against the reference, forward and backward, and the half
 * types' 2-D channels-first cases.
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

    /** The half types on the GPU family: FormatsDifferentialTest's 2-D channels-first float16/bfloat16 fixed-window cases. */
    @TestFactory
    Stream<DynamicTest> halfTypesMatchTheReference() {
        List<FormatsDifferentialTest.Case> cases = FormatsDifferentialTest.cases().stream()
                .filter(c -> !c.shape().volumetric() && c.format().layout() == Layout.CHANNELS_FIRST && c.format().dtype() != DType.FLOAT32
                        && List.of("max", "min", "avg", "lp").contains(c.op()))
                .toList();
        assertTrue(cases.size() > 100, "the half-type cases should number over a hundred, got " + cases.size());
        ReferencePooling reference = new ReferencePooling();
        return cases.stream().map(c -> dynamicTest("gpu family " + c, () -> {
            assertTrue(!KernelFamilies.cpuFamily(context), "the GPU family should be forced");
            try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
                Differential.check(device, reference, c.op(), c.input(), c.window(), c.seed());
            }
        }));
    }
}
