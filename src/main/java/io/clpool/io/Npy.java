package io.clpool.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import io.clpool.spec.DType;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files: format versions 1.0, 2.0 and 3.0, little- and
 * big-endian float32, float64, int32 and int64, C order, and float16 ({@code <f2}) where the
 * caller asks for it ({@link Float16#READ}). Anything else (Fortran order, object or structured
 * arrays, other dtypes) is rejected with a message naming it. The header's shape is checked
 * against the file's length before any allocation, so a lying header fails fast. Every problem
 * with a file's content is an {@link IllegalArgumentException} that starts with
 * {@code file <name>}; an {@link IOException} means the file could not be read at all.
 *
 * <p>float16 is opt-in so that a caller that computes in float32 (the command line today) keeps
 * refusing a float16 file by name rather than silently computing it in another precision; the
 * one-argument readers refuse it. {@link #write} writes float32, float16 and bfloat16 data.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy itself refuses headers over 10,000 bytes by default; a 4-D array needs about 128. */
    private static final int MAX_HEADER = 1 << 16;
    /** The largest Java array (a few VMs reserve header words). */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 16;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern STRUCTURED = Pattern.compile("'descr'\\s*:\\s*\\[");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final String SUPPORTED = "supported: float32, float64, int32, int64 ('<f4', '>f8', '<i8', ...)";
    private static final String SUPPORTED_WITH_FLOAT16 = "supported: float16, float32, float64, int32, int64 ('<f2', '<f4', '>f8', '<i8', ...)";
    /** NumPy's names of the type letters, for messages that name what a file holds. */
    private static final Map<Character, String> KINDS = Map.ofEntries(Map.entry('f', "float"), Map.entry('i', "int"),
            Map.entry('u', "uint"), Map.entry('b', "bool"), Map.entry('c', "complex"), Map.entry('O', "object"),
            Map.entry('U', "unicode string"), Map.entry('S', "byte string"), Map.entry('V', "void/raw"),
            Map.entry('M', "datetime64"), Map.entry('m', "timedelta64"));

    private Npy() {}

    /** Whether a reader takes float16 ({@code <f2}, {@code >f2}) files. */
    public enum Float16 {
        /** Refused like any unsupported dtype ({@code has dtype float16 ('<f2'); supported: ...}). */
        REFUSE,
        /** Read exactly: every float16 value is a float ({@link NpyArray#isFloat16()}). */
        READ
    }

    /** A float32, float64, int32 or int64 file; float16 is refused ({@link #read(Path, Float16)} reads it). */
    public static NpyArray read(Path path) throws IOException {
        return read(path, Float16.REFUSE);
    }

    /** A float32, float64, int32 or int64 file, and a float16 one where {@code float16} is {@link Float16#READ}. */
    public static NpyArray read(Path path, Float16 float16) throws IOException {
        long fileSize = Files.size(path);
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, fileSize, path.toString(), float16);
        }
    }

    /** Reads from a stream of {@code totalBytes} bytes; {@code name} appears in errors. float16 is refused. */
    public static NpyArray read(InputStream in, long totalBytes, String name) throws IOException {
        return read(in, totalBytes, name, Float16.REFUSE);
    }

    /** Reads from a stream of {@code totalBytes} bytes, float16 too where {@code float16} says so; {@code name} appears in errors. */
    public static NpyArray read(InputStream in, long totalBytes, String name, Float16 float16) throws IOException {
        Parsed parsed = parseHeader(in, totalBytes, name, float16);
        return parsed.dtype().readElements(in, (int) parsed.count(), Dtype.order(parsed.descr()), parsed.descr(), parsed.shape(), name);
    }

    /**
     * What a file holds, from its header alone, with the same checks as {@link #read} but reading
     * no data: for callers that want to know how much memory the file will take before reading it.
     */
    public record Header(String dtype, long[] shape, int elementSize) {
        public Header {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public long elementCount() {
            long count = 1;
            for (long d : shape) {
                count *= d; // read's checks bound it by the file's length
            }
            return count;
        }

        /** NumPy's name of the dtype: float32, float64, int32, int64 (or float16). */
        public String typeName() {
            return Npy.typeName(dtype);
        }
    }

    /** The header of the file at {@code path}; see {@link Header}. float16 is refused, as {@link #read(Path)} does. */
    public static Header header(Path path) throws IOException {
        return header(path, Float16.REFUSE);
    }

    /** The header of the file at {@code path}, with the checks of {@link #read(Path, Float16)}. */
    public static Header header(Path path, Float16 float16) throws IOException {
        long fileSize = Files.size(path);
        try (InputStream in = Files.newInputStream(path)) {
            Parsed parsed = parseHeader(in, fileSize, path.toString(), float16);
            return new Header(parsed.descr(), parsed.shape(), parsed.dtype().size);
        }
    }

    private record Parsed(Dtype dtype, String descr, long[] shape, long count) {}

    private static Parsed parseHeader(InputStream in, long totalBytes, String name, Float16 float16) throws IOException {
        byte[] preamble = in.readNBytes(8);
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= preamble.length || preamble[i] != MAGIC[i]) {
                throw bad(name, "is not a .npy file: it does not start with the magic \\x93NUMPY");
            }
        }
        if (preamble.length < 8) {
            throw bad(name, "is truncated in its preamble (" + preamble.length + " of 8 bytes)");
        }
        int major = preamble[6] & 0xff;
        int minor = preamble[7] & 0xff;
        if (major < 1 || major > 3 || minor != 0) {
            throw bad(name, "has .npy format version " + major + "." + minor + "; supported: 1.0, 2.0, 3.0");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer lengthField = ByteBuffer.wrap(readFully(in, lengthBytes, name, "header length")).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lengthField.getShort() & 0xffff : lengthField.getInt() & 0xffffffffL;
        long headerEnd = 8 + lengthBytes + headerLength;
        if (headerEnd > totalBytes) {
            throw bad(name, "declares a header of " + headerLength + " bytes, longer than the file (" + totalBytes + " bytes)");
        }
        if (headerLength > MAX_HEADER) {
            throw bad(name, "declares a header of " + headerLength + " bytes; at most " + MAX_HEADER + " are accepted");
        }
        String header = new String(readFully(in, (int) headerLength, name, "header"),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        if (STRUCTURED.matcher(header).find()) {
            throw bad(name, "holds a structured (record) array; " + SUPPORTED);
        }
        String descr = group(DESCR, header, name, "descr");
        Dtype dtype = Dtype.parse(descr, name, float16);
        if (group(FORTRAN, header, name, "fortran_order").equals("True")) {
            throw bad(name, "is in Fortran order; only C-order arrays are supported (numpy.ascontiguousarray writes one)");
        }
        long[] shape = parseShape(group(SHAPE, header, name, "shape"), name);

        // Sizes in BigInteger: a header may claim 10^20 elements, and that must fail here, not in new float[].
        BigInteger count = BigInteger.ONE;
        for (long d : shape) {
            count = count.multiply(BigInteger.valueOf(d));
        }
        BigInteger needed = count.multiply(BigInteger.valueOf(dtype.size));
        long payload = totalBytes - headerEnd;
        if (!needed.equals(BigInteger.valueOf(payload))) {
            throw bad(name, "has shape " + shapeText(shape) + " of " + typeName(descr) + ", which needs " + needed
                    + " bytes of data, but " + payload + " bytes follow the header");
        }
        if (count.compareTo(BigInteger.valueOf(MAX_ELEMENTS)) > 0) {
            throw bad(name, "has " + count + " elements, more than a Java array holds (" + MAX_ELEMENTS + ")");
        }
        return new Parsed(dtype, descr, shape, count.longValueExact());
    }

    private static long[] parseShape(String text, String name) {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String digits = trimmed.endsWith("L") ? trimmed.substring(0, trimmed.length() - 1) : trimmed; // Python 2 longs
            if (!digits.matches("-?[0-9]+")) {
                throw bad(name, "has a shape that is not a tuple of integers: (" + text + ")");
            }
            BigInteger d = new BigInteger(digits);
            if (d.signum() < 0) {
                throw bad(name, "has a negative dimension in its shape (" + text + ")");
            }
            if (d.bitLength() > 62) {
                throw bad(name, "has a dimension of " + d + " in its shape, larger than any file");
            }
            dims.add(d.longValue());
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** NumPy's name for a dtype descriptor: {@code <f4} is float32, {@code |O} object. */
    static String typeName(String descr) {
        String body = descr.isEmpty() || "<>|=".indexOf(descr.charAt(0)) < 0 ? descr : descr.substring(1);
        if (body.isEmpty()) {
            return "'" + descr + "'";
        }
        String kind = KINDS.get(body.charAt(0));
        String size = body.substring(1);
        if (kind == null) {
            return "'" + descr + "'";
        }
        // At most 4 digits: a hostile '<f99999999999' would not parse as an int (nor its bits fit one).
        if (size.matches("[0-9]{1,4}") && "fiuc".indexOf(body.charAt(0)) >= 0) {
            return kind + Integer.parseInt(size) * 8;
        }
        return kind;
    }

    private enum Dtype {
        F2(2), F4(4), F8(8), I4(4), I8(8);

        final int size;

        Dtype(int size) {
            this.size = size;
        }

        static Dtype parse(String descr, String name, Float16 float16) {
            Dtype dtype = descr.length() != 3 || "<>=".indexOf(descr.charAt(0)) < 0 ? null : switch (descr.substring(1)) {
                case "f2" -> float16 == Float16.READ ? F2 : null;
                case "f4" -> F4;
                case "f8" -> F8;
                case "i4" -> I4;
                case "i8" -> I8;
                default -> null;
            };
            if (dtype == null && descr.matches("\\|[fi][248]")) {
                throw bad(name, "has dtype '" + descr + "': byte order '|' (none) cannot describe a multi-byte number");
            }
            if (dtype == null) {
                throw bad(name, "has dtype " + typeName(descr) + " ('" + descr + "'); "
                        + (float16 == Float16.READ ? SUPPORTED_WITH_FLOAT16 : SUPPORTED));
            }
            return dtype;
        }

        static ByteOrder order(String descr) {
            return switch (descr.charAt(0)) {
                case '>' -> ByteOrder.BIG_ENDIAN;
                case '=' -> ByteOrder.nativeOrder();
                default -> ByteOrder.LITTLE_ENDIAN;
            };
        }

        /** Reads {@code count} elements in chunks, so the only large allocation is the result. */
        NpyArray readElements(InputStream in, int count, ByteOrder order, String descr, long[] shape, String name)
                throws IOException {
            float[] f32 = this == F4 || this == F2 ? new float[count] : null;
            double[] f64 = this == F8 ? new double[count] : null;
            long[] ints = this == I4 || this == I8 ? new long[count] : null;
            int perChunk = CHUNK / size;
            for (int start = 0; start < count; start += perChunk) {
                int n = Math.min(perChunk, count - start);
                ByteBuffer chunk = ByteBuffer.wrap(readFully(in, n * size, name, "data")).order(order);
                for (int i = start; i < start + n; i++) {
                    switch (this) {
                        case F2 -> f32[i] = DType.halfToFloat(chunk.getShort());
                        case F4 -> f32[i] = chunk.getFloat();
                        case F8 -> f64[i] = chunk.getDouble();
                        case I4 -> ints[i] = chunk.getInt();
                        case I8 -> ints[i] = chunk.getLong();
                    }
                }
            }
            return switch (this) {
                case F2 -> NpyArray.ofFloat16(descr, shape, f32);
                case F4 -> NpyArray.ofFloat32(descr, shape, f32);
                case F8 -> NpyArray.ofFloat64(descr, shape, f64);
                case I4, I8 -> NpyArray.ofIntegers(descr, shape, ints);
            };
        }
    }

    /** Writes a little-endian float32 array of {@code shape}. */
    public static void writeFloat32(Path path, long[] shape, float[] data) throws IOException {
        requireLength(shape, data.length);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), CHUNK)) {
            writeHeader(out, "<f4", shape);
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : data) {
                if (!chunk.hasRemaining()) {
                    flush(chunk, out);
                }
                chunk.putFloat(v);
            }
            flush(chunk, out);
        }
    }

    /**
     * Writes {@code data}, values of {@code type}, as an array of {@code shape}: float32 as
     * {@code <f4}; float16 as {@code <f2}; bfloat16, which NumPy has no dtype for, as {@code <f4}
     * holding the bfloat16 values (as PyTorch's exported cases store it). Nothing is rounded: a
     * value that {@code type} does not represent ({@link DType#represents}) is rejected, naming
     * its position, before the file is created.
     */
    public static void write(Path path, long[] shape, float[] data, DType type) throws IOException {
        requireLength(shape, data.length);
        if (type == null) {
            throw new IllegalArgumentException("the dtype to write should be float32, float16 or bfloat16, but got null");
        }
        for (int i = 0; i < data.length; i++) {
            if (!type.represents(data[i])) {
                throw new IllegalArgumentException("every value written as " + type.label() + " should be representable in "
                        + type.label() + " (round it first: DType.round, Tensor.rounded), but got data[" + i + "]: " + data[i]);
            }
        }
        if (type == DType.FLOAT64) {
            double[] wide = new double[data.length];
            for (int i = 0; i < data.length; i++) {
                wide[i] = data[i];
            }
            writeFloat64(path, shape, wide);
            return;
        }
        if (type != DType.FLOAT16) {
            writeFloat32(path, shape, data);
            return;
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), CHUNK)) {
            writeHeader(out, "<f2", shape);
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : data) {
                if (!chunk.hasRemaining()) {
                    flush(chunk, out);
                }
                chunk.putShort(DType.floatToHalf(v));
            }
            flush(chunk, out);
        }
    }

    /** Writes a little-endian float64 array ({@code <f8}) of {@code shape}: a float64 tensor's doubles, bit for bit. */
    public static void writeFloat64(Path path, long[] shape, double[] data) throws IOException {
        requireLength(shape, data.length);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), CHUNK)) {
            writeHeader(out, "<f8", shape);
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (double v : data) {
                if (!chunk.hasRemaining()) {
                    flush(chunk, out);
                }
                chunk.putDouble(v);
            }
            flush(chunk, out);
        }
    }

    /**
     * Writes {@code tensor}'s elements, in its memory order, as an array of {@code shape} in its
     * type: float64 as {@code <f8}, the others as {@link #write(Path, long[], float[], DType)}.
     */
    public static void write(Path path, long[] shape, io.clpool.Tensor tensor) throws IOException {
        if (tensor.dtype() == DType.FLOAT64) {
            writeFloat64(path, shape, tensor.doubles());
        } else {
            write(path, shape, tensor.data(), tensor.dtype());
        }
    }

    /** Writes int32 indices as a little-endian int64 array of {@code shape}: PyTorch's index dtype. */
    public static void writeInt64(Path path, long[] shape, int[] data) throws IOException {
        requireLength(shape, data.length);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), CHUNK)) {
            writeHeader(out, "<i8", shape);
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : data) {
                if (!chunk.hasRemaining()) {
                    flush(chunk, out);
                }
                chunk.putLong(v);
            }
            flush(chunk, out);
        }
    }

    private static void flush(ByteBuffer chunk, OutputStream out) throws IOException {
        out.write(chunk.array(), 0, chunk.position());
        chunk.clear();
    }

    private static void requireLength(long[] shape, int length) {
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        if (count != length) {
            throw new IllegalArgumentException("the data length should be the shape's element count " + count
                    + " for " + shapeText(shape) + ", but got length: " + length);
        }
    }

    /**
     * A version 1.0 header as NumPy writes it ({@code {'descr': '<f4', 'fortran_order': False,
     * 'shape': (2, 3), }}), padded with spaces so the data starts at a multiple of 64 bytes.
     */
    private static void writeHeader(OutputStream out, String descr, long[] shape) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + pythonTuple(shape) + ", }";
        int unpadded = MAGIC.length + 4 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer preamble = ByteBuffer.allocate(MAGIC.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        preamble.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.write(preamble.array());
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Python's repr of a tuple: {@code ()}, {@code (3,)}, {@code (1, 2, 3)}. */
    private static String pythonTuple(long[] shape) {
        StringBuilder text = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return text.append(shape.length == 1 ? ",)" : ")").toString();
    }

    private static String group(Pattern pattern, String header, String name, String key) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw bad(name, "has no valid '" + key + "' in its header: " + header.trim());
        }
        return m.group(1);
    }

    private static byte[] readFully(InputStream in, int length, String name, String part) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw bad(name, "is truncated in its " + part + " (" + bytes.length + " of " + length + " bytes)");
        }
        return bytes;
    }

    private static String shapeText(long[] shape) {
        return pythonTuple(shape);
    }

    static IllegalArgumentException bad(String name, String problem) {
        return new IllegalArgumentException("file " + name + " " + problem);
    }
}
