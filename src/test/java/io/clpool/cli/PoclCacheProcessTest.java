package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.opencl.OpenClUnavailableException;
import io.clpool.support.TestDevices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private record Result(int exitCode, String out, String err) {}

    private Result run(Path cache, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        builder.environment().put("POCL_CACHE_DIR", cache.toString());
        builder.environment().remove("CLPOOL_DEVICE");
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("clpool did not finish in 60 s: " + command);
        }
        return new Result(process.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
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

        Result devices = run(cache, "devices");
        assertEquals(0, devices.exitCode(), devices::toString);
        assertTrue(devices.out().contains("cannot write its kernel cache directory " + cache + " (POCL_CACHE_DIR=" + cache + ")"),
                devices::toString);
        assertTrue(devices.out().contains("set POCL_CACHE_DIR to a writable directory"), devices::toString);
        assertFalse(devices.out().contains(OpenClUnavailableException.INSTALL_HINT), devices::toString);

        Result forward = run(cache, "check", "--cases", "1");
        assertEquals(1, forward.exitCode(), forward::toString);
        assertEquals(1, forward.err().lines().count(), forward::toString);
        assertTrue(forward.err().contains("kernel cache directory " + cache), forward::toString);
        assertFalse(forward.err().contains("install an OpenCL runtime"), forward::toString);
    }
}
