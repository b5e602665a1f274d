package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.opencl.OpenClUnavailableException;
import org.junit.jupiter.api.Test;

/** devices lists what OpenCL offers, or says what to install; either way it exits 0. */
class DevicesCommandTest {

    @Test
    void listsTheDevicesWithTheDefaultMarked() {
        CliRun run = CliRun.of("devices");
        assertEquals(0, run.exitCode(), run::toString);
        if (run.out().startsWith("No OpenCL device")) {
            assertTrue(run.out().contains(OpenClUnavailableException.INSTALL_HINT), run::toString);
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but no OpenCL device: " + run);
            }
            return;
        }
        assertTrue(run.out().startsWith("Platform 0: "), run::toString);
        assertEquals(1, run.outLines().stream().filter(line -> line.startsWith("  * [")).count(), "exactly one default: " + run);
        assertTrue(run.out().contains("compute units, global memory "), run::toString);
        assertTrue(run.out().contains("max allocation"), run::toString);
        assertTrue(run.out().contains("OpenCL "), run::toString);
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"devices", "demo", "forward", "backward", "unpool", "check"}) {
            CliRun run = CliRun.of(command, "--help");
            assertEquals(0, run.exitCode(), command);
            assertTrue(run.out().startsWith("Usage: clpool " + command), run::toString);
        }
        assertTrue(CliRun.of("forward", "--help").out().contains("--op=OP"));
    }
}
