package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no OpenCL platform (the ICD loader pointed at an empty vendor folder), the library says
 * what to install, nothing crashes at class-loading time, and the reference stays usable.
 */
class NoOpenClTest {

    @Test
    void missingPlatformGivesAnInstallHintAndTheReferenceStillWorks(@TempDir Path emptyVendors) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                NoOpenClProbe.class.getName());
        builder.environment().put("OCL_ICD_VENDORS", emptyVendors.toString());
        builder.environment().remove("OCL_ICD_FILENAMES");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "probe did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("unavailable: no OpenCL platform found"), output);
        assertTrue(output.contains("apt-get install -y pocl-opencl-icd ocl-icd-libopencl1 ocl-icd-opencl-dev"), output);
        assertTrue(output.contains("backend: no OpenCL platform found"), output);
        assertTrue(output.contains("reference max: 4.0 at 1"), output);
    }
}
