package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.support.SystemProperty;
import io.clpool.support.TestDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BuildReports}: what a build leaves with {@code clpool.buildReport=DIR}, and NVIDIA's verbose option. */
class BuildReportsTest {

    @Test
    void aBuildLeavesItsReportInTheFolder(@TempDir Path folder) throws Exception {
        Path reports = folder.resolve("builds");
        String options = KernelSource.options(Map.of());
        try (SystemProperty report = SystemProperty.set(BuildReports.PROPERTY, reports.toString());
             ClContext context = TestDevices.openContext()) {
            context.program("checks.cl", options);
            List<Path> written;
            try (Stream<Path> listed = Files.list(reports)) {
                written = listed.toList();
            }
            String expectedOptions = BuildReports.options(options, context.device().extensions());
            assertEquals(List.of(BuildReports.path(reports, "checks.cl", expectedOptions)), written);
            String text = Files.readString(written.get(0));
            assertTrue(text.startsWith("kernels/checks.cl built\ndevice: " + context.device().describe() + "\noptions: "
                    + expectedOptions + "\nbuild log:\n"), text);
        }
    }

    @Test
    void nvidiaBuildsAddTheVerboseLogOthersKeepTheirOptions() {
        assertEquals("-cl-std=CL1.2 -w -cl-nv-verbose",
                BuildReports.options("-cl-std=CL1.2 -w", "cl_khr_fp64 cl_nv_compiler_options cl_nv_device_attribute_query"));
        assertEquals("-cl-std=CL1.2 -w", BuildReports.options("-cl-std=CL1.2 -w", "cl_khr_fp64 cl_khr_fp16"));
        assertEquals("-cl-std=CL1.2 -w", BuildReports.options("-cl-std=CL1.2 -w", ""));
    }

    @Test
    void aFolderThatCannotBeNamedIsRefusedBeforeAnyBuild() {
        try (SystemProperty report = SystemProperty.set(BuildReports.PROPERTY, "bad\u0000folder")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, BuildReports::folder);
            assertTrue(e.getMessage().contains(BuildReports.PROPERTY), e.getMessage());
        }
    }
}
