package io.clpool.io;

import static io.clpool.io.NpyBytes.dict;
import static io.clpool.io.NpyBytes.floats;
import static io.clpool.io.NpyBytes.npy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}
