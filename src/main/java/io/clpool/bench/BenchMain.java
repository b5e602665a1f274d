package io.clpool.bench;

import io.clpool.Algorithm;
import io.clpool.opencl.ClContext;
import io.clpool.opencl.Devices;
import io.clpool.spec.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A developer entry point to {@link Benchmark} (the CLI's {@code bench} subcommand wraps the same
 * engine). Flags: {@code --op max --shape 32,64,112,112 --kernel 2 --stride 2 --padding 0
 * --device NAME --algorithm AUTO|DIRECT|IM2COL --runs 11 --reference-runs 3 --json FILE
 * --plot FILE.png --sweep}. With {@code --sweep} it runs {@link Benchmark#sweepCases} on DIRECT
 * and IM2COL, prints a Markdown table, and {@code --plot} charts the sweep.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws IOException {
        String op = "max";
        Shape shape = Shape.of(32, 64, 112, 112);
        int kernel = 2;
        int stride = -1;
        int padding = 0;
        String device = null;
        Algorithm algorithm = Algorithm.AUTO;
        int runs = 11;
        int referenceRuns = 3;
        Path json = null;
        Path plot = null;
        boolean sweep = false;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--sweep")) {
                sweep = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("flag " + flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--op" -> op = value;
                case "--shape" -> shape = Shape.of(Arrays.stream(value.split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray());
                case "--kernel" -> kernel = Integer.parseInt(value);
                case "--stride" -> stride = Integer.parseInt(value);
                case "--padding" -> padding = Integer.parseInt(value);
                case "--device" -> device = value;
                case "--algorithm" -> algorithm = Algorithm.valueOf(value.toUpperCase(Locale.ROOT));
                case "--runs" -> runs = Integer.parseInt(value);
                case "--reference-runs" -> referenceRuns = Integer.parseInt(value);
                case "--json" -> json = Path.of(value);
                case "--plot" -> plot = Path.of(value);
                default -> throw new IllegalArgumentException("unknown flag " + flag);
            }
        }
        List<Benchmark.Result> results = new ArrayList<>();
        try (ClContext context = ClContext.create(Devices.select(device))) {
            List<Benchmark.Options> cases = sweep
                    ? Benchmark.sweepCases(List.of(Algorithm.DIRECT, Algorithm.IM2COL), runs, referenceRuns)
                    : List.of(new Benchmark.Options(op, shape, kernel, stride < 0 ? kernel : stride, padding, device, algorithm,
                            3, runs, referenceRuns));
            for (Benchmark.Options options : cases) {
                Benchmark.Result result = Benchmark.run(context, options);
                System.out.println(result.report());
                results.add(result);
            }
        }
        if (sweep) {
            System.out.println(Benchmark.markdownTable(results));
        }
        if (json != null) {
            Benchmark.writeJson(results, json);
        }
        if (plot != null) {
            Benchmark.writePlot(results, plot);
        }
    }
}
