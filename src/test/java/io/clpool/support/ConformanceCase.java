package io.clpool.support;

import io.clpool.IndexTensor;
import io.clpool.Tensor;
import io.clpool.io.Npy;
import io.clpool.io.NpyArray;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One PyTorch-exported case from {@code src/test/resources/conformance/cases} (copied from
 * ../shared/conformance; see its README): spec, input, expected output, indices and gradients.
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

    public IndexTensor idx() {
        NpyArray array = npy("idx.npy");
        return new IndexTensor(Shape.of(array.shape()), array.toInts());
    }

    public PoolSpec spec() {
        int[] k = ints("kernel");
        int[] s = ints("stride");
        int[] p = ints("padding");
        int[] d = ints("dilation");
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

    private Tensor tensor(String file) {
        NpyArray array = npy(file);
        return new Tensor(Shape.of(array.shape()), array.toFloats());
    }

    private NpyArray npy(String file) {
        try {
            return Npy.read(folder.resolve(file));
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
