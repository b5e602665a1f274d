package io.clpool.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files: format versions 1.0, 2.0 and 3.0, little- and
 * big-endian float32, float64, int32 and int64, C order. Anything else is rejected with a
 * message naming it; the header's shape is checked against the file's length before any
 * allocation, so a lying header fails fast.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 1 << 16;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    public static NpyArray read(Path path) throws IOException {
        long fileSize = Files.size(path);
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, fileSize, path.toString());
        }
    }

    /** Reads from a stream of {@code totalBytes} bytes; {@code name} appears in errors. */
    public static NpyArray read(InputStream in, long totalBytes, String name) throws IOException {
        byte[] preamble = readFully(in, 8, name, "preamble");
        for (int i = 0; i < MAGIC.length; i++) {
            if (preamble[i] != MAGIC[i]) {
                throw bad(name, "does not start with the .npy magic \\x93NUMPY");
            }
        }
        int major = preamble[6] & 0xff;
        if (major < 1 || major > 3) {
            throw bad(name, "has .npy format version " + major + "." + (preamble[7] & 0xff) + "; supported: 1.0, 2.0, 3.0");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer lengthField = ByteBuffer.wrap(readFully(in, lengthBytes, name, "header length")).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lengthField.getShort() & 0xffff : lengthField.getInt() & 0xffffffffL;
        long headerEnd = 8 + lengthBytes + headerLength;
        if (headerLength > MAX_HEADER || headerEnd > totalBytes) {
            throw bad(name, "declares a header of " + headerLength + " bytes, longer than the file (" + totalBytes + " bytes)");
        }
        String header = new String(readFully(in, (int) headerLength, name, "header"),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, name, "descr");
        String fortran = group(FORTRAN, header, name, "fortran_order");
        if (fortran.equals("True")) {
            throw bad(name, "is in Fortran order; only C-order arrays are supported");
        }
        long[] shape = parseShape(group(SHAPE, header, name, "shape"), name);
        Dtype dtype = Dtype.parse(descr, name);
        long payload = totalBytes - headerEnd;
        long count = 1;
        for (long d : shape) {
            // Stop multiplying once the count exceeds what the payload could hold: no overflow, no allocation.
            count = d == 0 ? 0 : count > payload / dtype.size / d + 1 ? Long.MAX_VALUE : count * d;
        }
        if (count == Long.MAX_VALUE || count * dtype.size != payload) {
            throw bad(name, "has shape " + shapeText(shape) + " of " + descr + ", which needs "
                    + (count == Long.MAX_VALUE ? "more bytes than the file holds" : count * dtype.size + " bytes")
                    + ", but " + payload + " bytes of data follow the header");
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw bad(name, "has " + count + " elements, more than a Java array holds");
        }
        ByteBuffer data = ByteBuffer.wrap(readFully(in, (int) payload, name, "data")).order(Dtype.order(descr));
        double[] values = new double[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = dtype.next(data);
        }
        return new NpyArray(descr, shape, values);
    }

    private static long[] parseShape(String text, String name) {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                long d = Long.parseLong(trimmed.endsWith("L") ? trimmed.substring(0, trimmed.length() - 1) : trimmed);
                if (d < 0) {
                    throw bad(name, "has a negative dimension in its shape (" + text + ")");
                }
                dims.add(d);
            } catch (NumberFormatException e) {
                throw bad(name, "has a shape that is not a tuple of integers: (" + text + ")");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private enum Dtype {
        F4(4), F8(8), I4(4), I8(8);

        final int size;

        Dtype(int size) {
            this.size = size;
        }

        static Dtype parse(String descr, String name) {
            if (descr.length() != 3 || "<>|=".indexOf(descr.charAt(0)) < 0) {
                throw bad(name, "has dtype '" + descr + "'; supported: float32, float64, int32, int64 ('<f4', '>f8', ...)");
            }
            return switch (descr.substring(1)) {
                case "f4" -> F4;
                case "f8" -> F8;
                case "i4" -> I4;
                case "i8" -> I8;
                default -> throw bad(name, "has dtype '" + descr + "'; supported: float32, float64, int32, int64");
            };
        }

        static ByteOrder order(String descr) {
            return descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }

        double next(ByteBuffer buffer) {
            return switch (this) {
                case F4 -> buffer.getFloat();
                case F8 -> buffer.getDouble();
                case I4 -> buffer.getInt();
                case I8 -> buffer.getLong();
            };
        }
    }

    public static void writeFloat32(Path path, long[] shape, float[] data) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            body.putFloat(v);
        }
        write(path, "<f4", shape, body.array());
    }

    public static void writeInt64(Path path, long[] shape, int[] data) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : data) {
            body.putLong(v);
        }
        write(path, "<i8", shape, body.array());
    }

    /** Writes a version 1.0 file, header padded so the data starts at a multiple of 64 bytes. */
    private static void write(Path path, String descr, long[] shape, byte[] body) throws IOException {
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (long d : shape) {
            dict.append(d).append(", ");
        }
        if (shape.length > 1) {
            dict.setLength(dict.length() - 1);
        }
        dict.append("), }");
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer preamble = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        preamble.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        try (OutputStream out = Files.newOutputStream(path)) {
            out.write(preamble.array());
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
        }
    }

    private static String group(Pattern pattern, String header, String name, String key) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw bad(name, "has no '" + key + "' in its header: " + header.trim());
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
        return java.util.Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }

    static IllegalArgumentException bad(String name, String problem) {
        return new IllegalArgumentException("file " + name + " " + problem);
    }
}
