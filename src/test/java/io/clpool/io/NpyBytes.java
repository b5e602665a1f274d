package io.clpool.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand-made .npy files, for tests of what the reader accepts and rejects. */
public final class NpyBytes {
    private NpyBytes() {}

    /** A .npy file of format {@code major}.0 with {@code dict} as its header and {@code data} after it. */
    public static byte[] npy(int major, String dict, byte[] data) {
        int lengthBytes = major == 1 ? 2 : 4;
        int unpadded = 8 + lengthBytes + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        byte[] headerBytes = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(8 + lengthBytes + headerBytes.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            out.putShort((short) headerBytes.length);
        } else {
            out.putInt(headerBytes.length);
        }
        return out.put(headerBytes).put(data).array();
    }

    /** The header dictionary as NumPy writes it. */
    public static String dict(String descr, boolean fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    }

    public static byte[] floats(ByteOrder order, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(order);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    public static byte[] doubles(ByteOrder order, double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(order);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }
}
