package io.clpool.cli;

import io.clpool.Algorithm;
import io.clpool.bench.Benchmark;
import io.clpool.bench.TorchTimings;
import io.clpool.opencl.ClContext;
import io.clpool.opencl.Devices;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.Shape;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clpool bench}: device time of a forward and a backward against the device's own copy
 * bandwidth, the launch floor and the single-threaded reference, all measured in the same run;
 * optionally beside PyTorch's timings from {@code ci/torch_bench.py}.
 */
@Command(name = "bench", sortOptions = false,
        description = {"Benchmark pooling on the OpenCL device against its copy bandwidth and the reference.",
                "Medians over the timed runs (after warm-up) of device time (profiling events) and wall time; "
                        + "effective GB/s counting bytes read plus written; the device's copy bandwidth measured in "
                        + "the same run (the faster of clEnqueueCopyBuffer and a vectorized copy kernel) and each "
                        + "pass's ratio to it; the launch floor (an empty kernel's device time) and each pass as a "
                        + "multiple of it; the single-threaded reference's times for the same case. "
                        + "Tensors are float32 channels first unless --dtype and --channels-last say otherwise; bytes count "
                        + "in the stored type (2 per float16 or bfloat16 element, 8 per float64; indices 4). "
                        + "The OpenCL device is the default one, or CLPOOL_DEVICE=cpu|gpu|NAME."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--op", paramLabel = "max|min|avg|lp", defaultValue = "max", description = "The op (default: ${DEFAULT-VALUE}).")
    String op;

    @Option(names = "--shape", paramLabel = "N,C,H,W|N,C,D,H,W", defaultValue = "32,64,112,112", converter = Flags.ShapeConverter.class,
            description = "Input shape, channels second also with --channels-last (PyTorch's x.shape); five values pool over "
                    + "D, H and W (default: ${DEFAULT-VALUE}).")
    Shape shape;

    @Option(names = "--dtype", paramLabel = "float32|float16|bfloat16|float64", converter = Flags.DTypeConverter.class, defaultValue = "float32",
            description = "The type the tensors are stored in; bytes count 4 per float32 element, 2 per float16 or bfloat16 "
                    + "element, 8 per float64 element (default: ${DEFAULT-VALUE}).")
    DType dtype;

    @Option(names = "--channels-last", description = "Store the tensors channels last (NHWC, NDHWC for a 5-D shape).")
    boolean channelsLast;

    @Option(names = "--kernel", paramLabel = "K", defaultValue = "2", description = "Square kernel, cubic for a 5-D shape (default: ${DEFAULT-VALUE}).")
    int kernel;

    @Option(names = "--stride", paramLabel = "S", description = "Stride on every spatial axis (default: the kernel).")
    Integer stride;

    @Option(names = "--padding", paramLabel = "P", defaultValue = "0", description = "Padding on every spatial axis (default: ${DEFAULT-VALUE}).")
    int padding;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "11", description = "Timed runs, at least 10 (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--reference-runs", paramLabel = "N", defaultValue = "3",
            description = "Timed runs of the reference, 0 to skip it (default: ${DEFAULT-VALUE}).")
    int referenceRuns;

    @Option(names = "--sweep", description = "Instead of one case, the README's size sweep (max 2x2 s2 at H=W 28..224, batch 1/8/32; "
            + "at 32,64,112,112: max 3x3 s1 p1, max 3x3 s2 p1, avg 2x2 s2, min 2x2 s2) on DIRECT and IM2COL.")
    boolean sweep;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Also write a chart of GB/s and fraction of copy bandwidth against working set.")
    Path plot;

    @Option(names = "--compare-torch", paramLabel = "FILE.json",
            description = "Print PyTorch's timings from FILE.json (as ci/torch_bench.py writes them, on the same machine) "
                    + "beside clpool's, matched by op, shape, kernel, stride and padding.")
    Path compareTorch;

    @Mixin
    DeviceOptions device;

    @Mixin
    CommonOptions common;

    /** IM2COL runs max and min in every rank, layout and type; average and LP on float32 channels first only. */
    private static boolean im2colRunsEverywhere(String op) {
        return op.equals("max") || op.equals("min");
    }

    @Override
    public Integer call() throws IOException {
        if (device.device == DeviceOptions.Choice.CPU) {
            throw new UsageError("bench times an OpenCL device (the reference is timed beside it), but got --device cpu;"
                    + " choose the OpenCL device with CLPOOL_DEVICE=cpu|gpu|NAME");
        }
        Layout layout = channelsLast ? Layout.CHANNELS_LAST : Layout.CHANNELS_FIRST;
        boolean plain = dtype == DType.FLOAT32 && layout == Layout.CHANNELS_FIRST;
        if (!sweep && !plain && device.algorithm == Algorithm.IM2COL && !im2colRunsEverywhere(op)) {
            throw new UsageError("--algorithm im2col runs " + op + " on float32 channels-first tensors only, but got --dtype "
                    + dtype.label() + (channelsLast ? " --channels-last" : "") + "; use --algorithm direct or auto");
        }
        // In another format IM2COL runs max and min only (the library's rule): the sweep times it there alone
        List<Benchmark.Options> cases = (sweep
                ? Benchmark.sweepCases(List.of(Algorithm.DIRECT, Algorithm.IM2COL), runs, referenceRuns).stream()
                        .filter(o -> plain || o.algorithm() != Algorithm.IM2COL || im2colRunsEverywhere(o.op())).toList()
                : List.of(new Benchmark.Options(op, shape, kernel, stride == null ? kernel : stride, padding, null,
                        device.algorithm, 3, runs, referenceRuns)))
                .stream().map(o -> o.withFormat(dtype, layout)).toList();
        StagedOutputs.check(StagedOutputs.named("--json", json, "--plot", plot), StagedOutputs.named("--compare-torch", compareTorch));
        List<TorchTimings.Case> torch = compareTorch == null ? null : readTorch(compareTorch);
        for (Benchmark.Options options : cases) {
            requireHeap(options);
        }
        PrintWriter out = spec.commandLine().getOut();
        List<Benchmark.Result> results = new ArrayList<>();
        try (ClContext context = ClContext.create(Devices.select())) {
            for (Benchmark.Options options : cases) {
                Benchmark.Result result = Benchmark.run(context, options);
                out.println(result.report());
                out.flush();
                results.add(result);
            }
        }
        if (sweep) {
            out.println("device: " + results.get(0).device());
            out.println(Benchmark.markdownTable(results));
        }
        if (torch != null) {
            out.println(TorchTimings.compare(results, torch));
        }
        try (StagedOutputs outputs = new StagedOutputs()) {
            if (json != null) {
                outputs.stage("--json", json, path -> Benchmark.writeJson(results, path));
            }
            if (plot != null) {
                outputs.stage("--plot", plot, path -> Benchmark.writePlot(results, path));
            }
            for (Path written : outputs.commit()) {
                out.println("wrote " + written);
            }
        }
        return ExitCodes.OK;
    }

    /** The PyTorch timings, read before any device work so that a bad file costs nothing. */
    private static List<TorchTimings.Case> readTorch(Path file) {
        if (!Files.isRegularFile(file)) {
            throw UsageError.missingFile("--compare-torch", file);
        }
        try {
            return TorchTimings.read(file);
        } catch (IOException e) {
            throw UsageError.unreadable("--compare-torch", file, e);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--compare-torch " + file + ": " + e.getMessage());
        }
    }

    /**
     * Before the device is opened: the host input, the gradient uploaded (with a half type's bits
     * while they are uploaded), and with reference runs the reference's result, indices, gradient
     * and dX, and its float32 channels-first copies of a channels-last or half-precision case.
     */
    private static void requireHeap(Benchmark.Options options) {
        Shape in = options.shape();
        in.elementCountAsInt(); // larger than any Java array: that error, not one about the heap
        long n = in.elementCount();
        long m = options.spec().outputShape(in).elementCount();
        boolean plain = options.dtype() == DType.FLOAT32 && !in.isChannelsLast();
        long bits = options.dtype() == DType.FLOAT32 ? 0 : (n + m) * options.dtype().bytes();
        long reference = options.referenceRuns() == 0 ? 0 : n * 4 + m * 12 + (plain ? 0 : 8 * (2 * n + 2 * m) + 4 * m);
        HeapCheck.require(n * 4 + m * 4 + bits + reference, "bench of --shape " + in.withLayout(Layout.CHANNELS_FIRST)
                + (plain ? "" : " " + options.dtype().label() + " " + in.layout().order(in.spatialAxes()))
                + (options.referenceRuns() > 0 ? " with reference runs" : ""));
    }
}
