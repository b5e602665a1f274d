package io.clpool.support;

import io.clpool.opencl.ClContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the test classes that share one OpenCL context per class: opened before the first test
 * (skipped loudly without a device, a failure in CI; see {@link TestDevices}) and closed after
 * the last.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DeviceTest {
    protected ClContext context;

    @BeforeAll
    protected void openContext() {
        context = TestDevices.openContext();
    }

    @AfterAll
    protected void closeContext() {
        if (context != null) {
            context.close();
        }
    }
}
