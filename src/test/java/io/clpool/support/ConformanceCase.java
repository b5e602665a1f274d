package io.clpool.support;

import io.clpool.IndexTensor;
import io.clpool.Tensor;
import io.clpool.io.Npy;
import io.clpool.io.NpyArray;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One PyTorch-exported case from {@code src/test/resources/conformance/cases} (copied from
 * ../shared/conformance; see its README), or from the second set's {@code conformance2/cases}
 * ({@link #fractional()}, {@link #volumetric()}, {@link #formats()}): spec, input, expected
 * output, indices and gradients, as tensors of the case's {@link #dtype()} and {@link #layout()}.
 */
public record ConformanceCase(String name, String op, String json, Path folder) {

    public static List<ConformanceCase> all() {
        try {
            Path root = Path.of(ConformanceCase.class.getClassLoader().getResource("conformance/cases").toURI());
            try (Stream<Path> folders = Files.list(root)) {
                List<ConformanceCase> cases = folders.sorted().map(ConformanceCase::load).toList();
                if (cases.size() < 40) {
                    throw new IllegalStateException("expected the 44 conformance cases, found " + cases.size() + " in " + root);
                }
                return cases;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("conformance cases missing from test resources", e);
        }
    }

    /**
     * The fractional max pooling cases of the second set, {@code src/test/resources/conformance2/cases}
     * (copied from ../shared/conformance2; see its README): float32, NCHW, with {@code samples.npy}.
     */
    public static List<ConformanceCase> fractional() {
        try {
            Path root = Path.of(ConformanceCase.class.getClassLoader().getResource("conformance2/cases").toURI());
            try (Stream<Path> folders = Files.list(root)) {
                List<ConformanceCase> cases = folders.sorted().map(ConformanceCase::load)
                        .filter(c -> c.op().equals("fractional-max")).toList();
                if (cases.size() != 8) {
                    throw new IllegalStateException("expected the 8 fractional-max cases, found " + cases.size() + " in " + root);
                }
                return cases;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("conformance2 cases missing from test resources", e);
        }
    }

    /** The op names of the 3-D cases of the second set, as its spec.json files spell them. */
    public static final List<String> VOLUMETRIC_OPS = List.of("max3d", "avg3d", "adaptive-max3d", "adaptive-avg3d");

    /**
     * The 3-D cases of the second set, {@code src/test/resources/conformance2/cases} (copied from
     * ../shared/conformance2; see its README): max3d, avg3d, adaptive-max3d and adaptive-avg3d,
     * float32, NCHW, 5-D files, three values per window field. Exactly 20; any other count fails.
     */
    public static List<ConformanceCase> volumetric() {
        try {
            Path root = Path.of(ConformanceCase.class.getClassLoader().getResource("conformance2/cases").toURI());
            try (Stream<Path> folders = Files.list(root)) {
                List<ConformanceCase> cases = folders.sorted().map(ConformanceCase::load)
                        .filter(c -> VOLUMETRIC_OPS.contains(c.op())).toList();
                if (cases.size() != 20) {
                    throw new IllegalStateException("expected the 20 3-D cases (" + String.join(", ", VOLUMETRIC_OPS)
                            + "), found " + cases.size() + " in " + root);
                }
                for (ConformanceCase c : cases) {
                    String dtype = string(c.json(), "dtype");
                    String layout = string(c.json(), "layout");
                    if (!dtype.equals("float32") || !layout.equals("NCHW")) {
                        throw new IllegalStateException(c + ": expected a float32 NCHW 3-D case, but got " + dtype + " " + layout);
                    }
                }
                return cases;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("conformance2 cases missing from test resources", e);
        }
    }

    /** The 2-D op names of the second set's channels-last and half-precision cases, as its spec.json files spell them. */
    public static final List<String> FORMAT_OPS = List.of("max", "avg", "adaptive-max", "adaptive-avg");

    /**
     * How many cases {@link #formats()} holds per (layout, dtype, op): channels-last float32 max,
     * avg and adaptive avg; float16 max, avg, adaptive avg and adaptive max; bfloat16 max and avg.
     */
    private static final Map<String, Long> FORMAT_COUNTS = Map.of(
            "NHWC float32 max", 4L, "NHWC float32 avg", 4L, "NHWC float32 adaptive-avg", 4L,
            "NCHW float16 max", 4L, "NCHW float16 avg", 4L, "NCHW float16 adaptive-avg", 4L, "NCHW float16 adaptive-max", 4L,
            "NCHW bfloat16 max", 4L, "NCHW bfloat16 avg", 4L);

    /**
     * The channels-last and half-precision cases of the second set,
     * {@code src/test/resources/conformance2/cases} (copied from ../shared/conformance2; see its
     * README): 2-D max, avg, adaptive-max and adaptive-avg whose {@code layout} is NHWC (files
     * stored N,H,W,C, index values the logical {@code h·W + w}) or whose {@code dtype} is float16
     * ({@code <f2} files) or bfloat16 (float32 files holding exact bfloat16 values). Their tensors
     * carry that layout and dtype. Exactly 36, split as {@link #FORMAT_COUNTS}; anything else fails.
     */
    public static List<ConformanceCase> formats() {
        try {
            Path root = Path.of(ConformanceCase.class.getClassLoader().getResource("conformance2/cases").toURI());
            try (Stream<Path> folders = Files.list(root)) {
                List<ConformanceCase> cases = folders.sorted().map(ConformanceCase::load)
                        .filter(c -> FORMAT_OPS.contains(c.op()) && (c.dtype() != DType.FLOAT32 || c.layout() != Layout.CHANNELS_FIRST))
                        .toList();
                Map<String, Long> counts = cases.stream().collect(Collectors.groupingBy(
                        c -> c.layout().order(2) + " " + c.dtype().label() + " " + c.op(), TreeMap::new, Collectors.counting()));
                if (cases.size() != 36 || !counts.equals(FORMAT_COUNTS)) {
                    throw new IllegalStateException("expected the 36 channels-last and half-precision cases " + new TreeMap<>(FORMAT_COUNTS)
                            + ", found " + cases.size() + " " + counts + " in " + root);
                }
                return cases;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("conformance2 cases missing from test resources", e);
        }
    }

    /** spec.json's {@code dtype}: float32, float16 or bfloat16; float32 where the case names none (the first set). */
    public DType dtype() {
        return json.contains("\"dtype\"") ? DType.of(string(json, "dtype")) : DType.FLOAT32;
    }

    /** spec.json's {@code layout}: NCHW is channels first, NHWC channels last; channels first where the case names none. */
    public Layout layout() {
        if (!json.contains("\"layout\"")) {
            return Layout.CHANNELS_FIRST;
        }
        String layout = string(json, "layout");
        return switch (layout) {
            case "NCHW", "NCDHW" -> Layout.CHANNELS_FIRST;
            case "NHWC", "NDHWC" -> Layout.CHANNELS_LAST;
            default -> throw new IllegalStateException(name + ": unknown layout " + layout + " in spec.json");
        };
    }

    /** True for a case of a 3-D op (5-D files, three values per window field). */
    public boolean volumetricOp() {
        return VOLUMETRIC_OPS.contains(op);
    }

    private static ConformanceCase load(Path folder) {
        try {
            String json = Files.readString(folder.resolve("spec.json"));
            return new ConformanceCase(folder.getFileName().toString(), string(json, "op"), json, folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Tensor x() {
        return tensor("x.npy");
    }

    public Tensor y() {
        return tensor("y.npy");
    }

    public Tensor gy() {
        return tensor("gy.npy");
    }

    public Tensor gx() {
        return tensor("gx.npy");
    }

    /**
     * {@code idx.npy}: int64 offsets inside the input plane ({@code h·W + w}) or volume
     * ({@code d·H·W + h·W + w}), in the case's layout (the file is in its memory order).
     */
    public IndexTensor idx() {
        NpyArray array = npy("idx.npy");
        return new IndexTensor(Shape.fromMemoryDims(array.shape(), layout()), array.toInts());
    }

    /**
     * The window: two values per field (H, W) for a 2-D case, three (D, H, W) for a 3-D one. A 3-D
     * case without {@code dilation} (avg3d, which takes none) has dilation 1.
     */
    public PoolSpec spec() {
        if (volumetricOp()) {
            int[] k = axes("kernel", 3);
            int[] s = axes("stride", 3);
            int[] p = axes("padding", 3);
            int[] d = json.contains("\"dilation\"") ? axes("dilation", 3) : new int[] {1, 1, 1};
            return new PoolSpec(k[0], k[1], k[2], s[0], s[1], s[2], p[0], p[1], p[2], d[0], d[1], d[2], bool("ceil_mode"), 3);
        }
        int[] k = ints("kernel");
        int[] s = ints("stride");
        int[] p = ints("padding");
        int[] d = json.contains("\"dilation\"") ? ints("dilation") : new int[] {1, 1}; // the second set's avg has none
        return new PoolSpec(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], bool("ceil_mode"));
    }

    public AvgOptions avgOptions() {
        Matcher m = Pattern.compile("\"divisor_override\"\\s*:\\s*(null|\\d+)").matcher(json);
        int divisor = m.find() && !m.group(1).equals("null") ? Integer.parseInt(m.group(1)) : 0;
        return new AvgOptions(bool("count_include_pad"), divisor);
    }

    public double norm() {
        Matcher m = Pattern.compile("\"norm\"\\s*:\\s*([-0-9.eE]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException(name + ": no norm");
        }
        return Double.parseDouble(m.group(1));
    }

    /** The case's op as a value: the one place a conformance op name becomes a {@link io.clpool.PoolOp}. */
    public io.clpool.PoolOp poolOp() {
        return switch (op) {
            case "max" -> io.clpool.PoolOp.max(spec());
            case "min" -> io.clpool.PoolOp.min(spec());
            case "avg" -> io.clpool.PoolOp.avg(spec(), avgOptions());
            case "lp" -> io.clpool.PoolOp.lp(spec(), norm());
            case "adaptive-max" -> io.clpool.PoolOp.adaptiveMax(outputSize()[0], outputSize()[1]);
            case "adaptive-avg" -> io.clpool.PoolOp.adaptiveAvg(outputSize()[0], outputSize()[1]);
            case "fractional-max" -> io.clpool.PoolOp.fractionalMax(ints("kernel")[0], ints("kernel")[1],
                    outputSize()[0], outputSize()[1], samples());
            case "max3d" -> io.clpool.PoolOp.max(spec());
            case "avg3d" -> io.clpool.PoolOp.avg(spec(), avgOptions());
            case "adaptive-max3d" -> io.clpool.PoolOp.adaptiveMax3d(axes("output_size", 3)[0], axes("output_size", 3)[1],
                    axes("output_size", 3)[2]);
            case "adaptive-avg3d" -> io.clpool.PoolOp.adaptiveAvg3d(axes("output_size", 3)[0], axes("output_size", 3)[1],
                    axes("output_size", 3)[2]);
            default -> throw new IllegalStateException(this + ": unknown op " + op);
        };
    }

    /** {@code samples.npy}: PyTorch's {@code _random_samples}, float32 (N, C, 2). */
    public io.clpool.spec.FractionalSamples samples() {
        NpyArray array = npy("samples.npy");
        long[] shape = array.shape();
        if (shape.length != 3 || shape[2] != 2) {
            throw new IllegalStateException(name + ": samples.npy should be N x C x 2");
        }
        return io.clpool.spec.FractionalSamples.of((int) shape[0], (int) shape[1], array.toFloats());
    }

    public int[] outputSize() {
        return ints("output_size");
    }

    /**
     * A file as a tensor of the case's dtype and layout: 4-D (N, C, H, W) or 5-D (N, C, D, H, W) by
     * the file's shape, which is in the layout's memory order. float16 cases must be {@code <f2}
     * files, the others float32 ({@code <f4}); a bfloat16 case's values must be exact bfloat16.
     */
    private Tensor tensor(String file) {
        NpyArray array = npy(file);
        DType dtype = dtype();
        boolean expectedType = dtype == DType.FLOAT16 ? array.isFloat16() : array.isFloat32();
        if (!expectedType) {
            throw new IllegalStateException(name + ": " + file + " of a " + dtype.label() + " case should be "
                    + (dtype == DType.FLOAT16 ? "float16 ('<f2')" : "float32 ('<f4')") + ", but is " + array);
        }
        Tensor t;
        try {
            t = new Tensor(Shape.fromMemoryDims(array.shape(), layout()), array.toFloats(), dtype);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(name + ": " + file + ": " + e.getMessage(), e);
        }
        if (volumetricOp() && !t.shape().volumetric()) {
            throw new IllegalStateException(name + ": " + file + " of a 3-D case should be 5-D, but is " + t.shape());
        }
        return t;
    }

    /** spec.json's {@code shape}: the logical input shape, channels second whatever the layout. */
    public long[] logicalShape() {
        return java.util.Arrays.stream(ints("shape")).asLongStream().toArray();
    }

    private NpyArray npy(String file) {
        try {
            return Npy.read(folder.resolve(file), Npy.Float16.READ);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int[] ints(String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException(name + ": no " + key + " in spec.json");
        }
        return Stream.of(m.group(1).split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    /** A window field with exactly {@code count} values (one per spatial axis). */
    private int[] axes(String key, int count) {
        int[] values = ints(key);
        if (values.length != count) {
            throw new IllegalStateException(name + ": " + key + " should have " + count + " values (one per spatial axis), but has "
                    + values.length);
        }
        return values;
    }

    private boolean bool(String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*(true|false)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException(name + ": no " + key + " in spec.json");
        }
        return Boolean.parseBoolean(m.group(1));
    }

    private static String string(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + key + " in spec.json");
        }
        return m.group(1);
    }

    @Override
    public String toString() {
        return name;
    }
}
