package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.opencl.OpenClUnavailableException;
import io.clpool.support.TestDevices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POCL hides its device when it cannot write its kernel cache: the command line must say so, name
 * the directory and what to do, and not tell the user to install an OpenCL runtime they have.
 * A child process with POCL_CACHE_DIR under a regular file (a path nobody can create, root too).
 */
class PoclCacheProcessTest {
    @TempDir
    Path dir;

    private CliRun run(Path cache, String... args) throws IOException, InterruptedException {
        return CliRun.inItsOwnJvm(dir, Duration.ofSeconds(60), List.of(), environment -> {
            environment.put("POCL_CACHE_DIR", cache.toString());
            environment.remove("CLPOOL_DEVICE");
        }, args);
    }

    @Test
    void anUnwritableCacheDirectoryIsNamedInsteadOfAnInstallHint() throws Exception {
        String platform;
        try (var context = TestDevices.openContext()) { // skips loudly (fails in CI) without a device
            platform = context.device().platformName();
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(platform.toLowerCase(java.util.Locale.ROOT).contains("portable computing language"),
                "POCL is not the platform here: " + platform);
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path cache = file.resolve("kcache");

        CliRun devices = run(cache, "devices");
        assertEquals(0, devices.exitCode(), devices::toString);
        assertTrue(devices.out().contains("cannot write its kernel cache directory " + cache + " (POCL_CACHE_DIR=" + cache + ")"),
                devices::toString);
        assertTrue(devices.out().contains("set POCL_CACHE_DIR to a writable directory"), devices::toString);
        assertFalse(devices.out().contains(OpenClUnavailableException.INSTALL_HINT), devices::toString);

        CliRun forward = run(cache, "check", "--cases", "1");
        assertEquals(1, forward.exitCode(), forward::toString);
        assertEquals(1, forward.err().lines().count(), forward::toString);
        assertTrue(forward.err().contains("kernel cache directory " + cache), forward::toString);
        assertFalse(forward.err().contains("install an OpenCL runtime"), forward::toString);
    }
}
