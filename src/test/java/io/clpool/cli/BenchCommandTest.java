package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.Algorithm;
import io.clpool.bench.Benchmark;
import io.clpool.bench.TorchTimings;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.TestDevices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench on a tiny case: the report, the JSON fields the issue names, the plot, the launch floor,
 * {@code --compare-torch} and its file format, and the usage errors.
 */
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

    @Test
    void takesAFiveDimensionalShapeWithACubicWindow() throws IOException {
        TestDevices.openContext().close(); // skip loudly (or fail in CI) without a device
        Path json = dir.resolve("bench3d.json");
        CliRun run = CliRun.of("bench", "--op", "avg", "--shape", "1,2,8,8,8", "--kernel", "2", "--runs", "10",
                "--reference-runs", "1", "--algorithm", "direct", "--json", json.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("1x2x8x8x8"), run::toString);
        String text = Files.readString(json);
        assertTrue(text.contains("\"shape\": [1, 2, 8, 8, 8]") && text.contains("\"kernel\": [2, 2, 2]")
                && text.contains("\"stride\": [2, 2, 2]") && text.contains("\"padding\": [0, 0, 0]"), text);
    }

    /** --dtype float16 --channels-last: the JSON names both, and bytes count 2 per stored element (indices 4). */
    @Test
    void takesDtypeAndChannelsLastAndCountsStoredBytes() throws IOException {
        TestDevices.openContext().close(); // skip loudly (or fail in CI) without a device
        Path json = dir.resolve("bench16.json");
        CliRun run = CliRun.of("bench", "--op", "max", "--shape", "1,4,16,16", "--kernel", "2", "--runs", "10",
                "--reference-runs", "1", "--dtype", "float16", "--channels-last", "--json", json.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("case       max 1x4x16x16 float16 NHWC kernel=2x2"), run::toString);
        assertTrue(run.out().startsWith("device     "), "the report names the device first: " + run);
        String text = Files.readString(json);
        // input 1024 elements, output 256: forward 2·1024 + 2·256 + 4·256 bytes, backward 2·256 + 4·256 + 2·1024
        assertTrue(text.contains("\"shape\": [1, 4, 16, 16], \"dtype\": \"float16\", \"layout\": \"NHWC\""), text);
        assertTrue(text.contains("\"forward_bytes\": 3584, \"backward_bytes\": 3584"), text);
        assertTrue(text.contains("\"device\": \"") && text.contains("\"note\": null"), text);
        Path volume = dir.resolve("bench-bf16.json");
        CliRun bfloat16 = CliRun.of("bench", "--op", "avg", "--shape", "1,2,2,8,8", "--kernel", "2", "--runs", "10",
                "--reference-runs", "0", "--dtype", "bfloat16", "--json", volume.toString());
        assertEquals(0, bfloat16.exitCode(), bfloat16::toString);
        String text32 = Files.readString(volume);
        assertTrue(text32.contains("\"dtype\": \"bfloat16\", \"layout\": \"NCDHW\""), text32);
        assertTrue(text32.contains("\"forward_bytes\": 576, \"backward_bytes\": 576"), text32); // 2·256 + 2·32, no indices
    }

    @Test
    void refusesIm2colAverageInAHalfTypeOrFloat64BeforeAnyDeviceWork() {
        Path json = dir.resolve("never.json");
        CliRun float64 = CliRun.of("bench", "--op", "avg", "--shape", "1,1,4,4", "--dtype", "float64", "--algorithm", "im2col",
                "--json", json.toString());
        assertEquals(2, float64.exitCode(), float64::toString);
        assertEquals(1, float64.errLines().size(), float64::toString);
        assertTrue(float64.err().contains("--algorithm im2col runs avg on float32 channels-first tensors only, but got --dtype float64"),
                float64::toString);
        CliRun im2col = CliRun.of("bench", "--op", "avg", "--shape", "1,1,4,4", "--dtype", "float16", "--algorithm", "im2col",
                "--json", json.toString());
        assertEquals(2, im2col.exitCode(), im2col::toString);
        assertEquals(1, im2col.errLines().size(), im2col::toString);
        assertTrue(im2col.err().contains("--algorithm im2col runs avg on float32 channels-first tensors only, but got --dtype float16"),
                im2col::toString);
        assertFalse(Files.exists(json));
        assertFalse(im2col.out().contains("device     "), "nothing was measured: " + im2col);
    }

    @Test
    void refusesPaddedLpAndSixValuesBeforeAnyDeviceWork() {
        Path json = dir.resolve("never.json");
        CliRun lp = CliRun.of("bench", "--op", "lp", "--shape", "1,2,8,8,8", "--kernel", "3", "--padding", "1", "--json", json.toString());
        assertEquals(2, lp.exitCode(), lp::toString);
        assertEquals(1, lp.errLines().size(), lp::toString);
        assertTrue(lp.err().contains("LP pooling padding should be 0 (lp_pool3d takes no padding), but got padD: 1, padH: 1, padW: 1"),
                lp::toString);
        assertFalse(lp.out().contains("device     "), "nothing was measured: " + lp);
        CliRun six = CliRun.of("bench", "--shape", "1,2,3,8,8,8", "--json", json.toString());
        assertEquals(2, six.exitCode(), six::toString);
        assertTrue(six.err().contains("'1,2,3,8,8,8' should be four or five positive integers N,C,H,W or N,C,D,H,W"), six::toString);
        assertFalse(Files.exists(json));
    }

    /** What ci/torch_bench.py writes (Python's json.dump with indent=2): exponents, escapes, extra keys. */
    private static final String TORCH_JSON = """
            [
              {
                "op": "max",
                "shape": [1, 2, 16, 16],
                "kernel": 2,
                "stride": 2,
                "padding": 0,
                "forward_ms": 9.5e-03,
                "backward_ms": 0.302,
                "device": "NVIDIA H100 80GB HBM3 \\u00b5",
                "runs": 50,
                "torch": "2.11.0+cu130",
                "dtype": "float32",
                "index_dtype": "int64",
                "timer": "cuda events"
              },
              {"op": "avg", "shape": [32, 64, 112, 112], "kernel": 2, "stride": 2, "padding": 0,
               "forward_ms": 0.091, "backward_ms": null, "device": "NVIDIA H100 80GB HBM3"}
            ]
            """;

    @Test
    void readsTheTorchFormat() {
        List<TorchTimings.Case> cases = TorchTimings.parse(TORCH_JSON);
        assertEquals(2, cases.size());
        TorchTimings.Case max = cases.get(0);
        assertEquals(new TorchTimings.Key("max", Shape.of(1, 2, 16, 16), 2, 2, 0), max.key());
        assertEquals(0.0095, max.forwardMs(), 0);
        assertEquals(0.302, max.backwardMs(), 0);
        assertEquals("NVIDIA H100 80GB HBM3 \u00b5", max.device());
        assertTrue(Double.isNaN(cases.get(1).backwardMs()), "null is a time not measured");
        assertEquals(1, TorchTimings.parse("\uFEFF[{\"op\":\"min\",\"shape\":[1,1,4,4],\"kernel\":3,\"stride\":1,"
                + "\"padding\":1,\"forward_ms\":0,\"backward_ms\":1E+2,\"device\":\"x\"}]\n").size(), "compact, with a BOM");
    }

    @Test
    void rejectsMalformedTorchFilesNamingTheProblem() {
        String good = "{\"op\": \"max\", \"shape\": [1, 2, 16, 16], \"kernel\": 2, \"stride\": 2, \"padding\": 0, "
                + "\"forward_ms\": 0.1, \"backward_ms\": 0.2, \"device\": \"gpu\"}";
        String[][] bad = {
            {"", "is empty"},
            {"   ", "is empty"},
            {"[]", "holds no timings"},
            {good, "should be a JSON array of timing objects, but its top level is an object"},
            {"[" + good, "ends where ',' or ']' in an array should be"},
            {"[" + good + "] x", "has text after the JSON value"},
            {"[" + good + ",]", "where a JSON value should be"},
            {"[" + good.replace("\"max\"", "'max'") + "]", "has ''' where a JSON value should be (line 1, column 9)"},
            {"[\n" + good.replace(", \"padding\": 0", ", \"padding\": 0, \"padding\": 1") + "]",
                "repeats the key \"padding\" in one object (line 2"},
            {"[" + good.replace("\"op\": \"max\", ", "") + "]", "entry 1: the field \"op\" is missing"},
            {"[" + good.replace("\"max\"", "\"maxpool\"") + "]", "entry 1: op should be one of [max, min, avg, lp], but got \"maxpool\""},
            {"[" + good.replace("[1, 2, 16, 16]", "[1, 2, 16]") + "]", "entry 1: shape should be an array of 4 integers"},
            {"[" + good.replace("[1, 2, 16, 16]", "[1, 2, 16, 1.5]") + "]", "entry 1: shape[3] should be an integer >= 1, but got 1.5"},
            {"[" + good.replace("\"kernel\": 2", "\"kernel\": [2, 2]") + "]", "kernel (a square window's side) should be an integer"},
            {"[" + good.replace("\"stride\": 2", "\"stride\": \"2\"") + "]", "entry 1: stride should be an integer >= 1, but got \"2\""},
            {"[" + good.replace("\"padding\": 0", "\"padding\": -1") + "]", "padding should be an integer >= 0, but got -1"},
            {"[" + good.replace("0.1", "-0.1") + "]", "entry 1 (max 1x2x16x16 2x2 s2 p0): forward_ms should be milliseconds"},
            {"[" + good.replace("0.1", "1e999") + "]", "forward_ms should be milliseconds"},
            {"[" + good.replace("0.1", "NaN") + "]", "has 'N' where a JSON value should be"},
            {"[" + good.replace(", \"backward_ms\": 0.2", "") + "]", "the field \"backward_ms\" is missing"},
            {"[" + good.replace("\"gpu\"", "\"\"") + "]", "device should name where the times were measured"},
            {"[" + good.replace("\"gpu\"", "7") + "]", "device should be a string, but got 7"},
            {"[" + good + ", " + good + "]", "entry 2 (max 1x2x16x16 2x2 s2 p0) repeats entry 1's case"},
            {"[" + good + ", 3]", "entry 2 should be an object, but got 3"},
            {"[" + good.replace("\"gpu\"", "{\"name\": [[1]]}") + "]", "nests deeper than the format"},
            {"[" + good.replace("\"gpu\"", "\"g\\qpu\"") + "]", "unknown escape \\q"},
            {"[" + good.replace("\"gpu\"}", "\"gpu}") + "]", "has a string that is never closed"},
            {"[" + good.replace("\"gpu\"", "\"g\tpu\"") + "]", "control character"},
            {"[" + good.replace("0.1", "01") + "]", "where ',' or '}' in an object should be"},
        };
        for (String[] c : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchTimings.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), "for " + c[0] + "\nexpected: " + c[1] + "\nbut got: " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    /** PyTorch's "dtype" is part of the match: a float16 clpool case meets only float16 timings. */
    @Test
    void matchesByDtype() {
        String torch = "[{\"op\": \"max\", \"shape\": [1, 2, 16, 16], \"kernel\": 2, \"stride\": 2, \"padding\": 0, "
                + "\"forward_ms\": 0.01, \"backward_ms\": 0.02, \"device\": \"gpu\", \"dtype\": \"float16\"}]";
        assertEquals(new TorchTimings.Key("max", Shape.of(1, 2, 16, 16), 2, 2, 0, io.clpool.spec.DType.FLOAT16),
                TorchTimings.parse(torch).get(0).key());
        PoolSpec spec = PoolSpec.of(2).withStride(2).withPadding(0);
        Benchmark.Result float32 = result("max", Shape.of(1, 2, 16, 16), spec, Algorithm.DIRECT, 0.02, 0.06);
        String text = TorchTimings.compare(List.of(float32), TorchTimings.parse(torch));
        assertTrue(text.contains("unmatched, not run by clpool: max 1x2x16x16 2x2 s2 p0 float16"), text);
        assertTrue(text.contains("no case matched: cases are matched by op, shape (and layout), dtype"), text);
        assertEquals(io.clpool.spec.DType.FLOAT64, TorchTimings.parse(torch.replace("float16", "float64")).get(0).key().dtype());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchTimings.parse(torch.replace("float16", "float8")));
        assertTrue(e.getMessage().startsWith("entry 1") && e.getMessage().endsWith(": dtype should be float32, float16, bfloat16 or "
                + "float64, but got \"float8\""), e.getMessage());
    }

    @Test
    void comparesMatchedCasesAndListsTheRest() {
        PoolSpec spec = PoolSpec.of(2).withStride(2).withPadding(0);
        Benchmark.Result direct = result("max", Shape.of(1, 2, 16, 16), spec, Algorithm.DIRECT, 0.02, 0.06);
        Benchmark.Result im2col = result("max", Shape.of(1, 2, 16, 16), spec, Algorithm.IM2COL, 0.19, 0.3);
        Benchmark.Result alone = result("min", Shape.of(1, 2, 16, 16), spec, Algorithm.DIRECT, 0.02, 0.06);
        String text = TorchTimings.compare(List.of(direct, im2col, alone), TorchTimings.parse(TORCH_JSON));
        assertTrue(text.contains("PyTorch device: NVIDIA H100 80GB HBM3 \u00b5; NVIDIA H100 80GB HBM3\n"), text);
        assertTrue(text.contains("clpool device:  Portable Computing Language / pthread-haswell-AMD EPYC (CPU)\n"), text);
        assertTrue(text.contains("| max | 1x2x16x16 | 2x2 s2 p0 | DIRECT | 0.010 | 0.302 | 0.020 | 0.060 | 2.11 | 0.20 | 0.0040 |"),
                text);
        assertTrue(text.contains("| max | 1x2x16x16 | 2x2 s2 p0 | IM2COL | 0.010 | 0.302 | 0.190 | 0.300 | 20.00 | 0.99 |"), text);
        assertTrue(text.contains("unmatched, no PyTorch timing: min 1x2x16x16 2x2 s2 p0 (DIRECT)\n"), text);
        assertTrue(text.contains("unmatched, not run by clpool: avg 32x64x112x112 2x2 s2 p0\n"), text);
        assertFalse(text.contains("no case matched"), text);
        String none = TorchTimings.compare(List.of(alone), TorchTimings.parse(TORCH_JSON));
        assertTrue(none.contains("no case matched"), none);
    }

    private static Benchmark.Result result(String op, Shape shape, PoolSpec spec, Algorithm algorithm, double fwd, double bwd) {
        return new Benchmark.Result("Portable Computing Language / pthread-haswell-AMD EPYC (CPU)", op, shape, spec, algorithm, 10,
                fwd, bwd, fwd, bwd, 1000, 1000, 1, 1, 1, 1, 1, Double.NaN, Double.NaN, 1, 1, 1, 0.004, null);
    }

    @Test
    void benchPrintsTorchTimingsBesideItsOwn() throws IOException {
        TestDevices.openContext().close(); // skip loudly (or fail in CI) without a device
        Path torch = dir.resolve("torch.json");
        Files.writeString(torch, TORCH_JSON);
        Path json = dir.resolve("bench.json");
        CliRun run = CliRun.of("bench", "--op", "max", "--shape", "1,2,16,16", "--kernel", "2", "--runs", "10",
                "--reference-runs", "0", "--algorithm", "direct", "--compare-torch", torch.toString(), "--json", json.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("PyTorch device: NVIDIA H100 80GB HBM3"), run::toString);
        assertTrue(run.out().contains("| max | 1x2x16x16 | 2x2 s2 p0 | DIRECT | 0.010 | 0.302 | "), run::toString);
        assertTrue(run.out().contains("unmatched, not run by clpool: avg 32x64x112x112 2x2 s2 p0"), run::toString);
        assertTrue(run.out().contains("x launch floor"), run::toString);
        String text = Files.readString(json);
        assertTrue(text.contains("\"launch_floor_ms\": ") && !text.contains("\"launch_floor_ms\": null"), text);
        String device = run.outLines().stream().filter(l -> l.startsWith("device     ")).findFirst().orElseThrow().substring(11);
        assertTrue(run.out().contains("clpool device:  " + device), "the compare names the device the report names: " + run);
        assertTrue(text.contains("\"device\": \"" + device + "\""), text);
    }

    @Test
    void aBadTorchFileIsOneUsageLineBeforeAnyDeviceWork() throws IOException {
        Path torch = dir.resolve("torch.json");
        Files.writeString(torch, "[{\"op\": \"max\"}]");
        Path json = dir.resolve("never.json");
        CliRun bad = CliRun.of("bench", "--shape", "1,1,4,4", "--compare-torch", torch.toString(), "--json", json.toString());
        assertEquals(2, bad.exitCode(), bad::toString);
        assertEquals(1, bad.errLines().size(), bad::toString);
        assertTrue(bad.err().contains("--compare-torch " + torch + ": entry 1: shape should be an array of 4 integers"), bad::toString);
        CliRun missing = CliRun.of("bench", "--shape", "1,1,4,4", "--compare-torch", dir.resolve("absent.json").toString());
        assertEquals(2, missing.exitCode(), missing::toString);
        assertEquals(1, missing.errLines().size(), missing::toString);
        assertTrue(missing.err().contains("absent.json does not exist"), missing::toString);
        assertFalse(Files.exists(json));
        assertFalse(bad.out().contains("device     "), "nothing was measured: " + bad);
        Files.writeString(torch, TORCH_JSON);
        CliRun same = CliRun.of("bench", "--shape", "1,1,4,4", "--compare-torch", torch.toString(), "--json", torch.toString());
        assertEquals(2, same.exitCode(), same::toString);
        assertTrue(same.err().contains("is the same file as --compare-torch"), same::toString);
        assertEquals(TORCH_JSON, Files.readString(torch), "PyTorch's timings are not overwritten");
    }
}
