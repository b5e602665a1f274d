package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.support.TestDevices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench on a tiny case: the report, the JSON fields the issue names, the plot, and its usage errors. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesReportJsonAndPlot() throws IOException {
        TestDevices.openContext().close(); // skip loudly (or fail in CI) without a device
        Path json = dir.resolve("bench.json");
        Path plot = dir.resolve("bench.png");
        CliRun run = CliRun.of("bench", "--op", "max", "--shape", "1,2,16,16", "--kernel", "2", "--runs", "10",
                "--reference-runs", "1", "--algorithm", "direct", "--json", json.toString(), "--plot", plot.toString());
        assertEquals(0, run.exitCode(), run::toString);
        String text = Files.readString(json);
        for (String field : new String[] {"device", "op", "shape", "algorithm", "forward_ms", "backward_ms", "forward_gbps",
            "backward_gbps", "copy_gbps", "reference_forward_ms", "reference_backward_ms"}) {
            assertTrue(text.contains("\"" + field + "\""), "JSON lacks " + field + ": " + text);
        }
        byte[] png = Files.readAllBytes(plot);
        assertTrue(png.length > 8 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "not a PNG");
    }

    @Test
    void rejectsTheReferenceAsDeviceAndBadRunsWithoutWriting() {
        Path json = dir.resolve("never.json");
        CliRun cpu = CliRun.of("bench", "--device", "cpu", "--json", json.toString());
        assertEquals(2, cpu.exitCode(), cpu::toString);
        CliRun fewRuns = CliRun.of("bench", "--runs", "3", "--shape", "1,1,4,4", "--json", json.toString());
        assertEquals(2, fewRuns.exitCode(), fewRuns::toString);
        assertFalse(Files.exists(json));
    }
}
