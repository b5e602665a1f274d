package io.clpool.io;

import static io.clpool.io.NpyBytes.dict;
import static io.clpool.io.NpyBytes.floats;
import static io.clpool.io.NpyBytes.npy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.spec.DType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .npy reader and writer: every accepted variant, and every malformed file rejected with its reason. */
class NpyTest {
    @TempDir
    Path dir;

    static NpyArray read(byte[] file) throws IOException {
        return Npy.read(new ByteArrayInputStream(file), file.length, "t.npy");
    }

    static String rejection(byte[] file) {
        return assertThrows(IllegalArgumentException.class, () -> read(file)).getMessage();
    }

    @Test
    void roundTripsFloat32AndInt64() throws IOException {
        float[] values = {1.5f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, -3e38f};
        Path floats = dir.resolve("f.npy");
        Npy.writeFloat32(floats, new long[] {1, 2, 1, 3}, values);
        NpyArray f = Npy.read(floats);
        assertEquals("<f4", f.dtype());
        assertArrayEquals(new long[] {1, 2, 1, 3}, f.shape());
        assertArrayEquals(bits(values), bits(f.toFloats()));

        Path ints = dir.resolve("i.npy");
        Npy.writeInt64(ints, new long[] {2, 2}, new int[] {0, Integer.MAX_VALUE, -1, 7});
        NpyArray i = Npy.read(ints);
        assertEquals("int64", i.typeName());
        assertArrayEquals(new int[] {0, Integer.MAX_VALUE, -1, 7}, i.toInts());
    }

    /** float64: written as '<f8' bit for bit (values float32 lacks, NaN, -0, extremes), read back as doubles and as a float64 tensor. */
    @Test
    void roundTripsFloat64() throws IOException {
        Path file = dir.resolve("d.npy");
        double[] values = {0.1, -0.0, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN, Double.NEGATIVE_INFINITY};
        Npy.writeFloat64(file, new long[] {1, 2, 1, 3}, values);
        NpyArray d = Npy.read(file);
        assertEquals("<f8", d.dtype());
        assertTrue(d.isFloat64());
        double[] back = d.toDoubles();
        for (int i = 0; i < values.length; i++) {
            assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(back[i]), "element " + i);
        }
        io.clpool.Tensor t = d.toTensor(io.clpool.spec.Shape.of(1, 2, 1, 3), DType.FLOAT64);
        assertEquals(DType.FLOAT64, t.dtype());
        assertEquals(0.1, t.doubles()[0]);
        assertEquals(0.1f, d.toTensor(io.clpool.spec.Shape.of(1, 2, 1, 3), DType.FLOAT32).data()[0], "rounded once to float32");
        Path again = dir.resolve("t.npy");
        Npy.write(again, new long[] {1, 2, 1, 3}, t);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again), "a float64 tensor writes the same file");
        Path widened = dir.resolve("w.npy");
        Npy.write(widened, new long[] {2}, new float[] {0.1f, 2f}, DType.FLOAT64);
        assertArrayEquals(new double[] {0.1f, 2}, Npy.read(widened).toDoubles(), "floats written as float64: widened exactly");
        assertEquals(2, Npy.read(widened).toFloats().length);
    }

    @Test
    void writesTheHeaderAsNumPyDoes() throws IOException {
        Path file = dir.resolve("h.npy");
        Npy.writeFloat32(file, new long[] {1, 2, 3, 4}, new float[24]);
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3, 4), }"), header);
        assertTrue(header.endsWith("\n"));
        assertEquals(0, (10 + headerLength) % 64);

        Npy.writeFloat32(file, new long[] {3}, new float[3]);
        assertTrue(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains("'shape': (3,), }"));
    }

    @Test
    void readsVersions2And3() throws IOException {
        for (int major : new int[] {2, 3}) {
            NpyArray a = read(npy(major, dict("<f4", false, "(2,)"), floats(ByteOrder.LITTLE_ENDIAN, 1f, 2f)));
            assertArrayEquals(new float[] {1f, 2f}, a.toFloats(), "version " + major);
        }
    }

    @Test
    void readsBigEndianFloat32Float64AndInt64() throws IOException {
        NpyArray f4 = read(npy(1, dict(">f4", false, "(1, 1, 1, 2)"), floats(ByteOrder.BIG_ENDIAN, 0.25f, -7f)));
        assertArrayEquals(new float[] {0.25f, -7f}, f4.toFloats());

        ByteBuffer f8 = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putDouble(0.1).putDouble(-2.5);
        NpyArray doubles = read(npy(1, dict(">f8", false, "(2,)"), f8.array()));
        assertTrue(doubles.isFloat64());
        assertArrayEquals(new float[] {0.1f, -2.5f}, doubles.toFloats());

        ByteBuffer i8 = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putLong(5).putLong(1L << 40);
        NpyArray longs = read(npy(1, dict(">i8", false, "(2,)"), i8.array()));
        ByteBuffer little = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(5).putLong(-6);
        assertArrayEquals(new int[] {5, -6}, read(npy(1, dict("<i8", false, "(2,)"), little.array())).toInts());
        String outOfRange = assertThrows(IllegalArgumentException.class, longs::toInts).getMessage();
        assertTrue(outOfRange.contains("1099511627776"), outOfRange);
    }

    @Test
    void rejectsBadMagic() {
        assertTrue(rejection("not a numpy file at all".getBytes(StandardCharsets.US_ASCII)).contains("magic"));
        assertTrue(rejection(new byte[] {(byte) 0x93, 'N'}).contains("magic"));
    }

    @Test
    void rejectsTruncatedFiles() {
        byte[] whole = npy(1, dict("<f4", false, "(4,)"), floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4));
        String message = rejection(Arrays.copyOf(whole, whole.length - 3));
        assertTrue(message.contains("needs 16 bytes of data, but 13 bytes follow the header"), message);
        assertTrue(rejection(Arrays.copyOf(whole, 9)).contains("truncated in its header length"));
        assertTrue(rejection(Arrays.copyOf(whole, 30)).contains("longer than the file"));
    }

    @Test
    void rejectsAShapeThatDisagreesWithTheData() {
        String message = rejection(npy(1, dict("<f4", false, "(1, 1, 3, 3)"), floats(ByteOrder.LITTLE_ENDIAN, 1, 2)));
        assertTrue(message.startsWith("file t.npy has shape (1, 1, 3, 3) of float32, which needs 36 bytes"), message);
    }

    @Test
    void rejectsAHugeShapeBeforeAllocating() {
        // 10^20 elements and more: a reader that allocates first would die of OutOfMemoryError here.
        byte[] data = floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4);
        String message = rejection(npy(1, dict("<f4", false, "(100000000000000000000,)"), data));
        assertTrue(message.contains("100000000000000000000"), message);
        message = rejection(npy(1, dict("<f4", false, "(100000, 100000, 100000, 100000)"), data));
        assertTrue(message.contains("needs 400000000000000000000 bytes of data, but 16 bytes follow"), message);
        message = rejection(npy(1, dict("<f8", false, "(2305843009213693952, 4)"), data));
        assertTrue(message.contains("needs 73786976294838206464 bytes of data, but 16 bytes follow"), message);
        message = rejection(npy(1, dict("<f4", false, "(9223372036854775807,)"), data));
        assertTrue(message.contains("larger than any file"), message);
    }

    @Test
    void rejectsFortranOrder() {
        String message = rejection(npy(1, dict("<f4", true, "(2, 2)"), floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4)));
        assertTrue(message.contains("Fortran order"), message);
    }

    @Test
    void rejectsObjectArraysAndOtherDtypesNamingThem() {
        assertTrue(rejection(npy(1, dict("|O", false, "(1,)"), new byte[8])).contains("has dtype object ('|O')"));
        assertTrue(rejection(npy(1, dict("<f2", false, "(2,)"), new byte[4])).contains("has dtype float16 ('<f2')"));
        assertTrue(rejection(npy(1, dict("|u1", false, "(2,)"), new byte[2])).contains("has dtype uint8 ('|u1')"));
        assertTrue(rejection(npy(1, dict("<U3", false, "(1,)"), new byte[12])).contains("unicode string ('<U3')"));
        assertTrue(rejection(npy(1, dict("|f4", false, "(1,)"), new byte[4])).contains("byte order '|'"));
        assertTrue(rejection(npy(1, dict("|i1", false, "(1,)"), new byte[1])).contains("has dtype int8 ('|i1')"));
        // Issue 10: an item size past an int named the NumberFormatException instead of the dtype.
        assertTrue(rejection(npy(1, dict("<f99999999999", false, "(1,)"), new byte[4])).contains("has dtype float ('<f99999999999')"));
        String structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }";
        assertTrue(rejection(npy(1, structured, new byte[4])).contains("structured"));
    }

    @Test
    void rejectsUnknownVersionsAndBrokenHeaders() {
        assertTrue(rejection(npy(4, dict("<f4", false, "(1,)"), new byte[4])).contains("format version 4.0"));
        assertTrue(rejection(npy(1, "{'descr': '<f4', 'shape': (1,), }", new byte[4])).contains("'fortran_order'"));
        assertTrue(rejection(npy(1, dict("<f4", false, "(1, x)"), new byte[4])).contains("not a tuple of integers"));
        assertTrue(rejection(npy(1, dict("<f4", false, "(-1,)"), new byte[4])).contains("negative dimension"));
    }

    /** Half-precision bit patterns and the floats they are, exactly. */
    private static final short[] HALF_BITS = {0x3c00, (short) 0xbc00, 0x7bff, (short) 0xfbff, 0x0001, (short) 0x8001, 0x03ff, 0x0400,
        0x3555, (short) 0x8000, 0x0000, 0x7c00, (short) 0xfc00};
    private static final float[] HALF_VALUES = {1f, -1f, 65504f, -65504f, 0x1p-24f, -0x1p-24f, 1023 * 0x1p-24f, 0x1p-14f,
        0x1.554p-2f, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

    private static byte[] halves(ByteOrder order, short... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(order);
        for (short v : values) {
            b.putShort(v);
        }
        return b.array();
    }

    private static NpyArray readFloat16(byte[] file) throws IOException {
        return Npy.read(new ByteArrayInputStream(file), file.length, "t.npy", Npy.Float16.READ);
    }

    @Test
    void readsFloat16ExactlyInEitherByteOrderWhenAskedTo() throws IOException {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            String descr = order == ByteOrder.LITTLE_ENDIAN ? "<f2" : ">f2";
            NpyArray a = readFloat16(npy(1, dict(descr, false, "(1, 13)"), halves(order, HALF_BITS)));
            assertTrue(a.isFloat16(), descr);
            assertFalse(a.isFloat32() || a.isFloat64() || a.isInteger(), descr);
            assertEquals("float16", a.typeName());
            assertEquals(descr, a.dtype());
            assertArrayEquals(new long[] {1, 13}, a.shape());
            assertEquals(13, a.elementCount());
            assertArrayEquals(bits(HALF_VALUES), bits(a.toFloats()), descr);
        }
        // NaN: quiet and signalling patterns, either sign, stay NaN.
        float[] nans = readFloat16(npy(1, dict("<f2", false, "(3,)"), halves(ByteOrder.LITTLE_ENDIAN, (short) 0x7e00,
                (short) 0xfe00, (short) 0x7c01))).toFloats();
        for (float v : nans) {
            assertTrue(Float.isNaN(v), Arrays.toString(nans));
        }
        // The other files read as before through the float16-aware reader.
        assertArrayEquals(new float[] {1f, 2f}, readFloat16(npy(1, dict("<f4", false, "(2,)"), floats(ByteOrder.LITTLE_ENDIAN, 1f, 2f)))
                .toFloats());
    }

    @Test
    void refusesFloat16UnlessAskedToAndChecksItsSizeBeforeAllocating() throws IOException {
        byte[] file = npy(1, dict("<f2", false, "(2,)"), halves(ByteOrder.LITTLE_ENDIAN, (short) 0x3c00, (short) 0x4000));
        assertEquals("file t.npy has dtype float16 ('<f2'); supported: float32, float64, int32, int64 ('<f4', '>f8', '<i8', ...)",
                rejection(file));
        Path path = dir.resolve("h.npy");
        Files.write(path, file);
        String refused = assertThrows(IllegalArgumentException.class, () -> Npy.header(path)).getMessage();
        assertTrue(refused.startsWith("file " + path + " has dtype float16 ('<f2')"), refused);
        assertArrayEquals(new float[] {1f, 2f}, Npy.read(path, Npy.Float16.READ).toFloats());
        Npy.Header header = Npy.header(path, Npy.Float16.READ);
        assertEquals("float16", header.typeName());
        assertEquals(2, header.elementSize());
        assertEquals(2, header.elementCount());

        String truncated = assertThrows(IllegalArgumentException.class, () -> readFloat16(Arrays.copyOf(file, file.length - 1)))
                .getMessage();
        assertTrue(truncated.startsWith("file t.npy has shape (2,) of float16, which needs 4 bytes of data, but 3 bytes follow"),
                truncated);
        String huge = assertThrows(IllegalArgumentException.class,
                () -> readFloat16(npy(1, dict("<f2", false, "(100000, 100000, 100000, 100000)"), new byte[4]))).getMessage();
        assertTrue(huge.contains("needs 200000000000000000000 bytes of data, but 4 bytes follow"), huge);
        String tooMany = assertThrows(IllegalArgumentException.class,
                () -> readFloat16(npy(1, dict("<f2", false, "(3000000000,)"), new byte[4]))).getMessage();
        assertTrue(tooMany.contains("needs 6000000000 bytes"), tooMany);
        String other = assertThrows(IllegalArgumentException.class, () -> readFloat16(npy(1, dict("|u1", false, "(2,)"), new byte[2])))
                .getMessage();
        assertTrue(other.contains("has dtype uint8 ('|u1'); supported: float16, float32, float64, int32, int64"), other);
        String noOrder = assertThrows(IllegalArgumentException.class, () -> readFloat16(npy(1, dict("|f2", false, "(2,)"), new byte[4])))
                .getMessage();
        assertTrue(noOrder.contains("byte order '|'"), noOrder);
    }

    @Test
    void writesFloat16AsNumPyDoesWithoutRounding() throws IOException {
        Path file = dir.resolve("h.npy");
        Npy.write(file, new long[] {13}, HALF_VALUES.clone(), DType.FLOAT16);
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        String header = new String(bytes, 10, headerLength, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f2', 'fortran_order': False, 'shape': (13,), }"), header);
        assertEquals(0, (10 + headerLength) % 64);
        assertArrayEquals(halves(ByteOrder.LITTLE_ENDIAN, HALF_BITS), Arrays.copyOfRange(bytes, 10 + headerLength, bytes.length));
        NpyArray back = Npy.read(file, Npy.Float16.READ);
        assertTrue(back.isFloat16());
        assertArrayEquals(bits(HALF_VALUES), bits(back.toFloats()));

        Npy.write(file, new long[] {2}, new float[] {Float.NaN, -0.5f}, DType.FLOAT16);
        float[] nan = Npy.read(file, Npy.Float16.READ).toFloats();
        assertTrue(Float.isNaN(nan[0]));
        assertEquals(-0.5f, nan[1]);
    }

    @Test
    void writesBfloat16AsFloat32HoldingItsValuesAndFloat32AsBefore() throws IOException {
        Path file = dir.resolve("b.npy");
        float[] values = {1f, -0x1.fep127f, 0x1p-133f, 3.140625f, Float.NEGATIVE_INFINITY};
        Npy.write(file, new long[] {5}, values, DType.BFLOAT16);
        NpyArray back = Npy.read(file);
        assertEquals("<f4", back.dtype());
        assertArrayEquals(bits(values), bits(back.toFloats()));
        float[] any = {0.1f, 1e-45f};
        Npy.write(file, new long[] {2}, any, DType.FLOAT32);
        assertArrayEquals(bits(any), bits(Npy.read(file).toFloats()));
    }

    @Test
    void refusesToWriteAValueTheTypeDoesNotHoldAndCreatesNoFile() {
        Path file = dir.resolve("never.npy");
        String half = assertThrows(IllegalArgumentException.class,
                () -> Npy.write(file, new long[] {3}, new float[] {1f, 0.1f, 2f}, DType.FLOAT16)).getMessage();
        assertEquals("every value written as float16 should be representable in float16 (round it first: DType.round, Tensor.rounded), "
                + "but got data[1]: 0.1", half);
        assertThrows(IllegalArgumentException.class, () -> Npy.write(file, new long[] {1}, new float[] {65520f}, DType.FLOAT16));
        assertThrows(IllegalArgumentException.class, () -> Npy.write(file, new long[] {1}, new float[] {0x1p-25f}, DType.FLOAT16));
        String bfloat = assertThrows(IllegalArgumentException.class,
                () -> Npy.write(file, new long[] {1}, new float[] {1.001f}, DType.BFLOAT16)).getMessage();
        assertTrue(bfloat.contains("representable in bfloat16") && bfloat.contains("data[0]: 1.001"), bfloat);
        String length = assertThrows(IllegalArgumentException.class,
                () -> Npy.write(file, new long[] {2, 2}, new float[3], DType.FLOAT16)).getMessage();
        assertTrue(length.contains("element count 4"), length);
        assertFalse(Files.exists(file));
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}
