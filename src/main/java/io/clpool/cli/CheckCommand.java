package io.clpool.cli;

import io.clpool.Pooling;
import io.clpool.opencl.OpenClUnavailableException;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clpool check}: the differential sweep that validates a device or driver. An op the
 * device does not implement is a failure with its reason, never a skip.
 */
@Command(name = "check", sortOptions = false,
        description = {"Validate a device: random cases of every op against the plain-Java reference.",
                "Runs random pooling cases (every op, 2-D on 4-D inputs and 3-D on 5-D ones, odd shapes, NaN, ±inf, ties, "
                        + "all-negative inputs) forward and "
                        + "backward on the device and on the reference, and compares: max/min values and indices bit "
                        + "for bit, sums within 1e-5 relative / 1e-6 absolute (float16, bfloat16, float64: 2 units in the type's last place; "
                        + "float64 LP 16, OpenCL's bound on double pow). "
                        + "By default the cases are float32 channels first, followed by one case per op in each other format "
                        + "(float32 channels last; float16 and bfloat16, channels first and last); --dtype or --channels-last "
                        + "runs every case in that format instead (--dtype float64 too, on a device with cl_khr_fp64). Ends with the line 'N passed, M failed'; "
                        + "exits 1 if any case failed."})
final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cases", paramLabel = "N", defaultValue = "600", description = "How many cases (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "20261125", description = "Seed of the cases (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--ops", paramLabel = "OP[,OP...]", split = ",", description = "Only these ops (default: all: max, min, avg, lp, adaptive-max, adaptive-avg, fractional-max, unpool; "
                    + "and in 3-D: max3d, min3d, avg3d, lp3d, adaptive-max3d, adaptive-avg3d, unpool3d).")
    List<String> ops;

    @Option(names = "--dtype", paramLabel = "float32|float16|bfloat16|float64", converter = Flags.DTypeConverter.class,
            description = "Run every case in this type (with --channels-last, default float32) instead of the default mix of formats.")
    DType dtype;

    @Option(names = "--channels-last", description = "Run every case channels last (NHWC, NDHWC), in --dtype (default float32).")
    boolean channelsLast;

    @Option(names = "--show", paramLabel = "N", defaultValue = "20", description = "Print the first N failures in full (default: ${DEFAULT-VALUE}).")
    int show;

    @Mixin
    DeviceOptions device;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        List<String> selected = ops == null ? DifferentialSweep.OPS : ops;
        for (String op : selected) {
            if (!DifferentialSweep.OPS.contains(op)) {
                throw new UsageError("--ops should list ops among " + String.join(", ", DifferentialSweep.OPS) + ", but got '" + op + "'");
            }
        }
        if (count < 1) {
            throw new UsageError("--cases should be at least 1, but got " + count);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean oneFormat = dtype != null || channelsLast;
        List<DifferentialSweep.Case> cases = oneFormat
                ? DifferentialSweep.cases(count, seed, selected, new DifferentialSweep.Format(dtype == null ? DType.FLOAT32 : dtype,
                        channelsLast ? Layout.CHANNELS_LAST : Layout.CHANNELS_FIRST))
                : DifferentialSweep.withOtherFormats(count, seed, selected);
        Pooling reference = new ReferencePooling();
        Map<String, int[]> perOp = new LinkedHashMap<>(); // op -> {passed, failed}
        selected.forEach(op -> perOp.put(op, new int[2]));
        Map<String, int[]> perFormat = new LinkedHashMap<>(); // format -> {passed, failed}
        int failed = 0;
        boolean terminal = System.console() != null;
        try (Backend backend = open(err)) {
            out.println("check: " + cases.size() + " cases on " + backend.describe() + " against the reference (seed " + seed + "; "
                    + (oneFormat ? "all " + cases.get(0).format() : count + " float32 channels-first, " + (cases.size() - count)
                    + " in other formats") + ")");
            out.flush();
            for (DifferentialSweep.Case c : cases) {
                String problem = DifferentialSweep.run(c, backend.pooling(), reference);
                perOp.get(c.op())[problem == null ? 0 : 1]++;
                perFormat.computeIfAbsent(c.format().toString(), f -> new int[2])[problem == null ? 0 : 1]++;
                if (problem != null) {
                    failed++;
                    if (failed <= show) {
                        out.println("FAILED " + c + ": " + problem);
                        out.flush();
                    }
                }
                // One progress line, rewritten in place on a terminal; in a log, a line every tenth of the way.
                if (terminal || c.number() % Math.max(1, cases.size() / 10) == 0 || c.number() == cases.size()) {
                    err.print((terminal ? "\r" : "") + "check: " + c.number() + "/" + cases.size() + " cases, " + failed + " failed"
                            + (terminal ? "" : System.lineSeparator()));
                    err.flush();
                }
            }
        }
        if (terminal) {
            err.println();
        }
        if (failed > show) {
            out.println("(" + (failed - show) + " more failures not shown; --show " + failed + " prints all)");
        }
        perOp.forEach((op, counts) -> out.println("  " + op + ": " + counts[0] + " of " + (counts[0] + counts[1]) + " cases equal"));
        perFormat.forEach((format, counts) -> out.println("  " + format + ": " + counts[0] + " of " + (counts[0] + counts[1])
                + " cases equal"));
        out.println((cases.size() - failed) + " passed, " + failed + " failed");
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /**
     * The device to check. Without one, {@code --device auto} does not fall back to the reference
     * as other commands do: the reference compared with itself would report "0 failed" having
     * checked nothing. {@code --device cpu} runs the sweep that way on purpose, with a note saying so.
     */
    private Backend open(PrintWriter err) {
        if (device.device == DeviceOptions.Choice.CPU) {
            err.println(Main.note("--device cpu compares the plain-Java reference with itself: a test of the sweep, not of any device"));
            err.flush();
            return Backend.reference();
        }
        try {
            return Backend.openCl(device.algorithm);
        } catch (OpenClUnavailableException e) {
            throw new CommandFailure("no OpenCL device to check, so nothing was checked (without one the reference would only be"
                    + " compared with itself): " + e.getMessage());
        }
    }
}
