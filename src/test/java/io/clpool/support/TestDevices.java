package io.clpool.support;

import static org.junit.jupiter.api.Assertions.fail;

import io.clpool.opencl.ClContext;
import io.clpool.opencl.DeviceInfo;
import io.clpool.opencl.Devices;
import io.clpool.opencl.OpenClUnavailableException;
import org.junit.jupiter.api.Assumptions;

/**
 * Opens the OpenCL context for a test class. In CI (CI=true) a missing device fails the run;
 * on a developer machine without OpenCL the OpenCL tests are skipped, loudly.
 */
public final class TestDevices {
    private TestDevices() {}

    public static ClContext openContext() {
        try {
            return ClContext.createDefault();
        } catch (OpenClUnavailableException e) {
            throw unavailable(e);
        }
    }

    /** The default device without a context, for tests that make their own as a caller would. */
    public static DeviceInfo selectDevice() {
        try {
            return Devices.select();
        } catch (OpenClUnavailableException e) {
            throw unavailable(e);
        }
    }

    private static OpenClUnavailableException unavailable(OpenClUnavailableException e) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true but no OpenCL device is usable: " + e.getMessage(), e);
        }
        System.err.println("*** SKIPPING OpenCL tests: " + e.getMessage() + " ***");
        Assumptions.abort("no OpenCL device: " + e.getMessage());
        return e;
    }
}
