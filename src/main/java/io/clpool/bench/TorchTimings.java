package io.clpool.bench;

import io.clpool.spec.DType;
import io.clpool.spec.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PyTorch's timings of the bench cases, as {@code ci/torch_bench.py} writes them, and their
 * side-by-side comparison with clpool's.
 *
 * <p>The format is a JSON array of flat objects, one per case:
 * <pre>{@code
 * [{"op": "max", "shape": [32, 64, 112, 112], "kernel": 2, "stride": 2, "padding": 0,
 *   "forward_ms": 0.095, "backward_ms": 0.302, "device": "NVIDIA H100 80GB HBM3"}]
 * }</pre>
 * {@code op} is one of {@link Benchmark#OPS}; {@code shape} is N, C, H, W; {@code kernel},
 * {@code stride} and {@code padding} are integers (square windows, as {@code bench} takes them);
 * the times are milliseconds (medians of device time) or null; {@code device} names where they
 * were measured; {@code dtype}, optional, is float32 (the default), float16, bfloat16 or float64, and the
 * tensors are channels first (contiguous). Other keys (the script writes {@code runs},
 * {@code torch}, {@code index_dtype}, {@code timer}) are read as JSON and otherwise ignored. Anything else (a
 * missing or mistyped field, nested objects, a case listed twice, trailing text) is rejected with
 * an {@link IllegalArgumentException} naming the place and the problem.
 */
public final class TorchTimings {
    /** Files larger than this are rejected before they are read. */
    static final long MAX_BYTES = 16L << 20;

    private TorchTimings() {}

    /** What a clpool case and a PyTorch case are matched by: the shape with its layout, and the type. */
    public record Key(String op, Shape shape, int kernel, int stride, int padding, DType dtype) {
        /** A float32 case. */
        public Key(String op, Shape shape, int kernel, int stride, int padding) {
            this(op, shape, kernel, stride, padding, DType.FLOAT32);
        }

        static Key of(Benchmark.Result r) {
            return new Key(r.op(), r.shape(), r.spec().kernelH(), r.spec().strideH(), r.spec().padH(), r.dtype());
        }

        /** {@code max 1x2x16x16 2x2 s2 p0}, with the type where it is not float32 and the layout where it is channels last. */
        @Override
        public String toString() {
            return op + " " + shape + " " + kernel + "x" + kernel + " s" + stride + " p" + padding
                    + (dtype == DType.FLOAT32 ? "" : " " + dtype.label());
        }
    }

    /** One case PyTorch timed; a time is NaN where the file has null. */
    public record Case(Key key, double forwardMs, double backwardMs, String device) {}

    /**
     * Reads {@code file}.
     *
     * @throws IOException when it cannot be read
     * @throws IllegalArgumentException when it is not in the format, naming the problem (not the file)
     */
    public static List<Case> read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new IllegalArgumentException("is " + size + " bytes, larger than the " + MAX_BYTES + " bytes a timing file"
                    + " may have");
        }
        return parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    }

    /** Parses the format's text; see the class comment. */
    public static List<Case> parse(String text) {
        Object top = new Parser(text).document();
        if (!(top instanceof List<?> entries)) {
            throw new IllegalArgumentException("should be a JSON array of timing objects, but its top level is "
                    + kind(top));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("holds no timings (an empty array)");
        }
        List<Case> cases = new ArrayList<>();
        Map<Key, Integer> seen = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            String where = "entry " + (i + 1);
            if (!(entries.get(i) instanceof Map<?, ?> entry)) {
                throw new IllegalArgumentException(where + " should be an object, but got " + kind(entries.get(i)));
            }
            String op = string(entry, "op", where);
            if (!Benchmark.OPS.contains(op)) {
                throw new IllegalArgumentException(where + ": op should be one of " + Benchmark.OPS + ", but got \"" + op + "\"");
            }
            List<?> dims = entry.get("shape") instanceof List<?> list ? list : null;
            if (dims == null || dims.size() != 4) {
                throw new IllegalArgumentException(where + ": shape should be an array of 4 integers N, C, H, W, but got "
                        + describe(entry, "shape"));
            }
            int[] shape = new int[4];
            for (int d = 0; d < 4; d++) {
                shape[d] = integer(dims.get(d), where + ": shape[" + d + "]", 1);
            }
            int kernel = integer(required(entry, "kernel", where), where + ": kernel (a square window's side)", 1);
            int stride = integer(required(entry, "stride", where), where + ": stride", 1);
            int padding = integer(required(entry, "padding", where), where + ": padding", 0);
            DType dtype = DType.FLOAT32;
            if (entry.containsKey("dtype")) {
                String name = string(entry, "dtype", where);
                try {
                    dtype = DType.of(name);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ": dtype should be float32, float16, bfloat16 or float64, but got \"" + name + "\"");
                }
            }
            Key key = new Key(op, new Shape(shape[0], shape[1], shape[2], shape[3]), kernel, stride, padding, dtype);
            where = where + " (" + key + ")";
            double forward = millis(entry, "forward_ms", where);
            double backward = millis(entry, "backward_ms", where);
            String device = string(entry, "device", where);
            if (device.isBlank()) {
                throw new IllegalArgumentException(where + ": device should name where the times were measured, but it is"
                        + " empty");
            }
            Integer earlier = seen.putIfAbsent(key, i + 1);
            if (earlier != null) {
                throw new IllegalArgumentException(where + " repeats entry " + earlier + "'s case; each case should appear once");
            }
            cases.add(new Case(key, forward, backward, device));
        }
        return List.copyOf(cases);
    }

    /**
     * PyTorch's and clpool's times side by side: a Markdown table with one row per clpool result
     * that PyTorch timed too (ratio = clpool / PyTorch: below 1, clpool is faster), then the cases
     * either side has alone, one line each. Both devices are named.
     */
    public static String compare(List<Benchmark.Result> clpool, List<Case> torch) {
        Map<Key, Case> byKey = new LinkedHashMap<>();
        torch.forEach(c -> byKey.put(c.key(), c));
        Set<String> torchDevices = new LinkedHashSet<>();
        torch.forEach(c -> torchDevices.add(c.device()));
        Set<String> clpoolDevices = new LinkedHashSet<>();
        clpool.forEach(r -> clpoolDevices.add(r.device()));
        StringBuilder b = new StringBuilder();
        b.append("PyTorch beside clpool: device-time medians in ms; ratio = clpool / PyTorch (below 1: clpool is faster)\n");
        b.append("PyTorch device: ").append(String.join("; ", torchDevices)).append('\n');
        b.append("clpool device:  ").append(String.join("; ", clpoolDevices)).append('\n');
        b.append("| op | shape | window | algorithm | torch fwd ms | torch bwd ms | clpool fwd ms | clpool bwd ms | fwd ratio"
                + " | bwd ratio | launch floor ms |\n");
        b.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        List<String> clpoolOnly = new ArrayList<>();
        Set<Key> matched = new LinkedHashSet<>();
        for (Benchmark.Result r : clpool) {
            Key key = Key.of(r);
            Case t = byKey.get(key);
            if (t == null) {
                clpoolOnly.add(key + " (" + r.algorithm() + ")");
                continue;
            }
            matched.add(key);
            b.append(String.format(Locale.ROOT, "| %s | %s | %dx%d s%d p%d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    key.op(), key.shape() + (key.dtype() == DType.FLOAT32 ? "" : " " + key.dtype().label()), key.kernel(), key.kernel(), key.stride(), key.padding(), r.algorithm(),
                    cell(t.forwardMs(), "%.3f"), cell(t.backwardMs(), "%.3f"), cell(r.forwardMs(), "%.3f"),
                    cell(r.backwardMs(), "%.3f"), cell(r.forwardMs() / t.forwardMs(), "%.2f"),
                    cell(r.backwardMs() / t.backwardMs(), "%.2f"), cell(r.launchFloorMs(), "%.4f")));
        }
        if (matched.isEmpty()) {
            b.append("(no case matched: cases are matched by op, shape (and layout), dtype, kernel, stride and padding)\n");
        }
        for (String c : clpoolOnly) {
            b.append("unmatched, no PyTorch timing: ").append(c).append('\n');
        }
        for (Case t : torch) {
            if (!matched.contains(t.key())) {
                b.append("unmatched, not run by clpool: ").append(t.key()).append('\n');
            }
        }
        return b.toString();
    }

    private static String cell(double v, String format) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, format, v);
    }

    // ---- validation of one entry -----------------------------------------------------------------

    private static Object required(Map<?, ?> entry, String name, String where) {
        if (!entry.containsKey(name)) {
            throw new IllegalArgumentException(where + ": the field \"" + name + "\" is missing");
        }
        return entry.get(name);
    }

    private static String string(Map<?, ?> entry, String name, String where) {
        Object v = required(entry, name, where);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(where + ": " + name + " should be a string, but got " + describe(entry, name));
        }
        return s;
    }

    private static int integer(Object v, String what, int min) {
        if (!(v instanceof Double d) || d != Math.rint(d) || d < min || d > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " should be an integer >= " + min + ", but got " + show(v));
        }
        return (int) (double) d;
    }

    private static double millis(Map<?, ?> entry, String name, String where) {
        Object v = required(entry, name, where);
        if (v == null) {
            return Double.NaN;
        }
        if (!(v instanceof Double d) || d < 0 || d.isInfinite()) {
            throw new IllegalArgumentException(where + ": " + name + " should be milliseconds (a number >= 0) or null, but got "
                    + show(v));
        }
        return d;
    }

    private static String describe(Map<?, ?> entry, String name) {
        return entry.containsKey(name) ? show(entry.get(name)) : "nothing (the field is missing)";
    }

    private static String show(Object v) {
        if (v instanceof String s) {
            return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (v instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) (double) d) : d.toString();
        }
        return kind(v);
    }

    private static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof List<?>) {
            return "an array";
        }
        if (v instanceof Map<?, ?>) {
            return "an object";
        }
        if (v instanceof Boolean bool) {
            return bool.toString();
        }
        return show(v);
    }

    // ---- a small JSON reader ---------------------------------------------------------------------

    /**
     * Strict JSON (RFC 8259) for this format: an array of objects whose values are strings, numbers,
     * booleans, null or arrays of those; nothing nests deeper, which also bounds the recursion.
     * Numbers become {@link Double}s; objects keep their key order and may not repeat a key.
     */
    private static final class Parser {
        private static final Pattern NUMBER = Pattern.compile("-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?");
        private static final int MAX_DEPTH = 3; // the array of entries, an entry, a value's array

        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Object document() {
            if (text.startsWith("\uFEFF")) {
                pos = 1;
            }
            skipSpace();
            if (pos == text.length()) {
                throw error("is empty; expected a JSON array");
            }
            Object value = value(1);
            skipSpace();
            if (pos < text.length()) {
                throw error("has text after the JSON value: '" + text.charAt(pos) + "'");
            }
            return value;
        }

        private Object value(int depth) {
            skipSpace();
            if (pos == text.length()) {
                throw error("ends in the middle of the JSON");
            }
            char c = text.charAt(pos);
            if (c == '[' || c == '{') {
                if (depth > MAX_DEPTH) {
                    throw error("nests deeper than the format's array of flat objects");
                }
                return c == '[' ? array(depth) : object(depth);
            }
            if (c == '"') {
                return string();
            }
            if (literal("null")) {
                return null;
            }
            if (literal("true")) {
                return Boolean.TRUE;
            }
            if (literal("false")) {
                return Boolean.FALSE;
            }
            Matcher m = NUMBER.matcher(text).region(pos, text.length());
            if (m.lookingAt()) {
                pos = m.end();
                return Double.valueOf(m.group());
            }
            throw error("has '" + c + "' where a JSON value should be");
        }

        private List<Object> array(int depth) {
            pos++; // [
            List<Object> list = new ArrayList<>();
            skipSpace();
            if (consume(']')) {
                return list;
            }
            while (true) {
                list.add(value(depth + 1));
                skipSpace();
                if (consume(']')) {
                    return list;
                }
                expect(',', "',' or ']' in an array");
            }
        }

        private Map<String, Object> object(int depth) {
            pos++; // {
            Map<String, Object> map = new LinkedHashMap<>();
            skipSpace();
            if (consume('}')) {
                return map;
            }
            while (true) {
                skipSpace();
                if (pos == text.length() || text.charAt(pos) != '"') {
                    throw error(pos == text.length() ? "ends in the middle of an object" : "has '" + text.charAt(pos)
                            + "' where an object's key (a string) should be");
                }
                int keyAt = pos;
                String key = string();
                skipSpace();
                expect(':', "':' after the key \"" + key + "\"");
                Object v = value(depth + 1);
                if (map.containsKey(key)) {
                    pos = keyAt;
                    throw error("repeats the key \"" + key + "\" in one object");
                }
                map.put(key, v);
                skipSpace();
                if (consume('}')) {
                    return map;
                }
                expect(',', "',' or '}' in an object");
            }
        }

        private String string() {
            int start = pos;
            pos++; // "
            StringBuilder b = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    pos--;
                    throw error("has a control character inside a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (pos == text.length()) {
                    break;
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (pos + 4 > text.length() || !text.substring(pos, pos + 4).matches("[0-9a-fA-F]{4}")) {
                            pos -= 2;
                            throw error("has a \\u escape without 4 hex digits");
                        }
                        b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> {
                        pos -= 2;
                        throw error("has an unknown escape \\" + e + " in a string");
                    }
                }
            }
            pos = start;
            throw error("has a string that is never closed");
        }

        private boolean literal(String word) {
            if (text.startsWith(word, pos)) {
                pos += word.length();
                return true;
            }
            return false;
        }

        private boolean consume(char c) {
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c, String what) {
            if (!consume(c)) {
                throw error(pos == text.length() ? "ends where " + what + " should be"
                        : "has '" + text.charAt(pos) + "' where " + what + " should be");
            }
        }

        private void skipSpace() {
            while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }

        private IllegalArgumentException error(String problem) {
            int line = 1;
            int column = 1;
            for (int i = 0; i < Math.min(pos, text.length()); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            return new IllegalArgumentException(problem + " (line " + line + ", column " + column + ")");
        }
    }
}
