package io.clpool.opencl;

import io.clpool.support.DeviceTest;
import io.clpool.support.SystemProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the test classes that run the GPU kernel family on whatever device the tests have
 * (POCL in CI): {@code clpool.kernels=gpu} for the whole class, put back after it.
 */
abstract class GpuFamilyTest extends DeviceTest {
    private SystemProperty gpuFamily;

    @BeforeAll
    void forceGpuFamily() {
        gpuFamily = SystemProperty.set(KernelFamilies.KERNELS_PROPERTY, "gpu");
    }

    @AfterAll
    void restore() {
        gpuFamily.close();
    }
}
