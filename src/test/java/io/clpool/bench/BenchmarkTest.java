package io.clpool.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.Algorithm;
import io.clpool.opencl.NativeKind;
import io.clpool.spec.Shape;
import io.clpool.support.DeviceTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark engine on tiny shapes: every figure present and consistent; no timing is asserted. */
class BenchmarkTest extends DeviceTest {
    private static Benchmark.Options tiny(String op, int kernel, int stride, int padding) {
        return Benchmark.Options.of(op, Shape.of(2, 3, 12, 12), kernel, stride, padding).withRuns(1, 10, 1);
    }

    @Test
    void maxReportsEveryFigure() {
        long buffers = context.liveObjects(NativeKind.BUFFER);
        Benchmark.Result r = Benchmark.run(context, tiny("max", 2, 2, 0));
        assertEquals(buffers, context.liveObjects(NativeKind.BUFFER), "the benchmark frees what it allocates");
        assertEquals(10, r.runs());
        assertEquals(2L * 3 * 12 * 12 * 4 + 2 * (2L * 3 * 6 * 6 * 4), r.forwardBytes(), "input + output + indices");
        assertEquals(r.forwardBytes(), r.backwardBytes(), "grad-out + indices + grad-in");
        for (double v : new double[] {r.forwardMs(), r.backwardMs(), r.forwardWallMs(), r.backwardWallMs(), r.forwardGbps(),
                r.backwardGbps(), r.copyGbps(), r.referenceForwardMs(), r.referenceBackwardMs(), r.launchFloorMs()}) {
            assertTrue(v > 0 && Double.isFinite(v), "every figure positive and finite: " + r.report());
        }
        assertEquals(Math.max(r.copyBufferGbps(), r.copyKernelGbps()), r.copyGbps(), "the faster copy is the yardstick");
        assertEquals(r.forwardGbps() / r.copyGbps(), r.forwardRatio(), 1e-12);
        String json = r.toJson();
        for (String field : List.of("device", "op", "shape", "algorithm", "forward_ms", "backward_ms", "forward_gbps",
                "backward_gbps", "copy_gbps", "reference_forward_ms", "reference_backward_ms")) {
            assertTrue(json.contains("\"" + field + "\": "), field + " in " + json);
        }
        assertTrue(json.contains("\"shape\": [2, 3, 12, 12]"), json);
        assertTrue(json.contains("\"algorithm\": \"AUTO\""), json);
        assertTrue(r.report().contains("forward") && r.report().contains("of copy"), r.report());
    }

    @Test
    void aVolumeCaseWithoutReferenceRunsSaysSoAndTimesItsEnqueue() {
        Benchmark.Result r = Benchmark.run(context,
                Benchmark.Options.of("max", Shape.of(1, 2, 4, 8, 8), 2, 2, 0).withRuns(1, 10, 0));
        String report = r.report();
        assertEquals(2, report.lines().filter(l -> l.endsWith("reference not run")).count(), "forward and backward: " + report);
        assertFalse(report.contains("NaN"), report);
        assertTrue(r.planEnqueueMicros() > 0 && Double.isFinite(r.planEnqueueMicros()),
                "a 3-D plan's enqueue is timed on a 3-D input: " + report);
    }

    @Test
    void theLaunchFloorAndTheDeviceStandBesideEveryCase() {
        Benchmark.Result r = Benchmark.run(context, tiny("max", 2, 2, 0));
        assertTrue(r.launchFloorMs() > 0 && Double.isFinite(r.launchFloorMs()), "an empty kernel's device time: " + r.report());
        assertEquals(r.forwardMs() / r.launchFloorMs(), r.forwardFloorMultiple(), 1e-12);
        assertEquals(r.backwardMs() / r.launchFloorMs(), r.backwardFloorMultiple(), 1e-12);
        String device = context.device().describe();
        assertEquals(device, r.device());
        String json = r.toJson();
        for (String field : List.of("launch_floor_ms", "forward_floor_multiple", "backward_floor_multiple")) {
            assertTrue(json.contains("\"" + field + "\": "), field + " in " + json);
        }
        assertTrue(json.contains(String.format(java.util.Locale.ROOT, "\"launch_floor_ms\": %.6f", r.launchFloorMs())), json);
        assertTrue(json.contains("\"device\": \"" + device + "\""), json);
        String report = r.report();
        assertTrue(report.contains("device     " + device), report);
        assertTrue(report.contains(String.format(java.util.Locale.ROOT, "launch     %.4f ms device", r.launchFloorMs())), report);
        assertEquals(2, report.lines().filter(l -> l.contains("x launch floor")).count(), "forward and backward: " + report);
        assertTrue(Benchmark.markdownTable(List.of(r)).contains("| launch floor ms |"));
        // a case whose algorithm cannot run still reports the floor beside its NaN figures
        Benchmark.Result failed = new Benchmark.Result(r.device(), r.op(), r.shape(), r.spec(), r.algorithm(), r.runs(),
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, r.forwardBytes(), r.backwardBytes(), Double.NaN, Double.NaN,
                r.copyBufferGbps(), r.copyKernelGbps(), r.copyGbps(), Double.NaN, Double.NaN, r.planCreateMs(), Double.NaN,
                Double.NaN, r.launchFloorMs(), "could not run");
        assertTrue(failed.toJson().contains("\"forward_floor_multiple\": null"), failed.toJson());
    }

    @Test
    void everyOpAndAlgorithmRuns() {
        for (String op : Benchmark.OPS) {
            Benchmark.Result r = Benchmark.run(context, tiny(op, 3, 1, op.equals("lp") ? 0 : 1).withAlgorithm(Algorithm.DIRECT));
            assertTrue(Double.isFinite(r.forwardMs()) && Double.isFinite(r.backwardMs()), op + ": " + r.report());
            assertEquals(null, r.note(), op);
        }
        Benchmark.Result im2col = Benchmark.run(context, tiny("max", 3, 2, 1).withAlgorithm(Algorithm.IM2COL));
        assertTrue(Double.isFinite(im2col.forwardMs()), im2col.report());
    }

    @Test
    void aCaseAnAlgorithmCannotRunStillReportsTheCopy() {
        // the limit leaves room for the benchmark's cache flush (twice the device cache), but not
        // for IM2COL's column buffer (4 bytes per tap per output, twice), while the data fits easily
        long limit = 2 * Math.max(context.globalMemCacheBytes(), 1L << 20);
        int batch = (int) (limit / 36 / (16 * 64 * 64)) + 1;
        Shape shape = Shape.of(batch, 16, 64, 64);
        context.limitMaxAllocation(limit);
        try {
            Benchmark.Result r = Benchmark.run(context, new Benchmark.Options("max", shape, 3, 1, 1, null,
                    Algorithm.IM2COL, 0, 10, 0));
            assertTrue(Double.isNaN(r.forwardMs()) && r.note() != null && r.note().contains("IM2COL"), r.report());
            assertTrue(Double.isFinite(r.copyGbps()), r.report());
            assertTrue(Double.isFinite(r.launchFloorMs()), "the launch floor is measured without a plan: " + r.report());
            assertTrue(r.toJson().contains("\"forward_ms\": null"), r.toJson());
        } finally {
            context.limitMaxAllocation(Long.MAX_VALUE);
        }
    }

    @Test
    void tableJsonAndPlot(@TempDir Path dir) throws IOException {
        List<Benchmark.Result> results = List.of(Benchmark.run(context, tiny("max", 2, 2, 0).withAlgorithm(Algorithm.DIRECT)),
                Benchmark.run(context, Benchmark.Options.of("max", Shape.of(2, 3, 24, 24), 2, 2, 0).withRuns(0, 10, 0)
                        .withAlgorithm(Algorithm.IM2COL)));
        String table = Benchmark.markdownTable(results);
        assertEquals(4, table.lines().count(), table);
        assertTrue(table.contains("| DIRECT |") && table.contains("| IM2COL |") && table.contains("n/a"), table);
        Path json = dir.resolve("bench.json");
        Benchmark.writeJson(results, json);
        assertTrue(Files.readString(json).trim().startsWith("[") && Files.readString(json).contains("\"IM2COL\""));
        Path png = dir.resolve("sweep.png");
        Benchmark.writePlot(results, png);
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', "a PNG file");
    }

    @Test
    void optionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Benchmark.Options.of("adaptive-max", Shape.of(1, 1, 4, 4), 2, 2, 0));
        IllegalArgumentException runs = assertThrows(IllegalArgumentException.class,
                () -> Benchmark.Options.of("max", Shape.of(1, 1, 4, 4), 2, 2, 0).withRuns(1, 5, 0));
        assertTrue(runs.getMessage().contains("runs: 5"), runs.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Benchmark.Options.of("max", Shape.of(1, 1, 4, 4), 3, 1, 2));
        assertEquals(32, Benchmark.sweepCases(List.of(Algorithm.DIRECT, Algorithm.IM2COL), 10, 0).size(),
                "12 sizes of max 2x2 and four windows at the bench shape, on two algorithms");
        assertFalse(Benchmark.sweepCases(List.of(Algorithm.DIRECT), 10, 0).isEmpty());
    }

    @Test
    void theSweepCoversTheIssuesWindows() {
        List<String> cases = Benchmark.sweepCases(List.of(Algorithm.DIRECT), 10, 0).stream()
                .map(o -> o.op() + " " + o.shape() + " k" + o.kernel() + " s" + o.stride() + " p" + o.padding()).toList();
        List<String> expected = new java.util.ArrayList<>();
        for (int size : new int[] {28, 56, 112, 224}) {
            for (int batch : new int[] {1, 8, 32}) {
                expected.add("max " + Shape.of(batch, 64, size, size) + " k2 s2 p0");
            }
        }
        Shape bench = Shape.of(32, 64, 112, 112);
        expected.addAll(List.of("max " + bench + " k3 s1 p1", "max " + bench + " k3 s2 p1", "avg " + bench + " k2 s2 p0",
                "min " + bench + " k2 s2 p0"));
        assertEquals(expected, cases);
        for (Benchmark.Options o : Benchmark.sweepCases(List.of(Algorithm.DIRECT, Algorithm.IM2COL), 12, 1)) {
            assertEquals(12, o.runs(), o.toString());
            assertEquals(1, o.referenceRuns(), o.toString());
        }
    }
}
