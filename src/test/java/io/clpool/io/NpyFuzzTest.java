package io.clpool.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of mutated headers and truncated payloads through the .npy reader: each either reads
 * a consistent array or fails with a clear IllegalArgumentException or IOException — never an
 * OutOfMemoryError, a hang, a stack overflow or another exception.
 */
class NpyFuzzTest {
    private static final String[] DESCRS = {"<f4", ">f4", "<f8", "|u1", "<i8", "O", "<c8", "<f2", "f4", "<<f4", "", "'"};
    private static final String[] SHAPES = {"()", "(3,)", "(2, 3)", "(1, 2, 3, 4)", "(100000000000000000000,)",
        "(4611686018427387904, 4)", "(-1, 4)", "(2, 3", "(a, b)", "(0, 5)", "(1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1)",
        "(99999999, 99999999, 99999999)", "(" + "1, ".repeat(5000) + ")"};

    @TempDir
    Path folder;

    @Test
    void mutatedFilesFailCleanly() throws IOException {
        Path valid = folder.resolve("valid.npy");
        Npy.writeFloat32(valid, new long[] {2, 3, 4, 5}, new float[120]);
        byte[] original = Files.readAllBytes(valid);
        Path file = folder.resolve("fuzz.npy");
        Random random = new Random(0xF022L);
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            int rejected = 0;
            for (int i = 0; i < 3000; i++) {
                byte[] bytes = switch (i % 4) {
                    case 0 -> flipBytes(original, random);
                    case 1 -> java.util.Arrays.copyOf(original, random.nextInt(original.length));
                    case 2 -> craftedHeader(random, major(random));
                    default -> java.util.Arrays.copyOf(craftedHeader(random, major(random)), 10 + random.nextInt(120));
                };
                Files.write(file, bytes);
                rejected += readOrReject(file, bytes) ? 0 : 1;
            }
            if (rejected < 1000) {
                fail("the fuzzer should produce mostly invalid files, got only " + rejected + " rejections");
            }
        });
    }

    @Test
    void everyTruncationOfAValidFileIsRejected() throws IOException {
        Path valid = folder.resolve("valid.npy");
        Npy.writeFloat32(valid, new long[] {1, 1, 3, 3}, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        byte[] original = Files.readAllBytes(valid);
        Path file = folder.resolve("cut.npy");
        for (int length = 0; length < original.length; length++) {
            Files.write(file, java.util.Arrays.copyOf(original, length));
            int cut = length;
            try {
                Npy.read(file);
                fail("a file cut to " + cut + " of " + original.length + " bytes was accepted");
            } catch (IllegalArgumentException | IOException expected) {
                if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                    fail("no message for a file cut to " + cut + " bytes");
                }
            }
        }
    }

    private static int major(Random random) {
        return 1 + random.nextInt(3);
    }

    /** True when the file was read (and then matches its header), false when it was rejected cleanly. */
    private static boolean readOrReject(Path file, byte[] bytes) {
        try {
            NpyArray array = Npy.read(file);
            long product = 1;
            for (long d : array.shape()) {
                product *= d;
            }
            assertEquals(product, array.elementCount(), "elements read vs shape");
            return true;
        } catch (IllegalArgumentException | IOException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                fail("rejection without a message for " + describe(bytes), e);
            }
            return false;
        } catch (Throwable t) {
            fail("unexpected " + t + " for " + describe(bytes), t);
            return false;
        }
    }

    private static byte[] flipBytes(byte[] original, Random random) {
        byte[] bytes = original.clone();
        int flips = 1 + random.nextInt(4);
        for (int f = 0; f < flips; f++) {
            int at = random.nextInt(Math.min(bytes.length, 128));
            bytes[at] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] craftedHeader(Random random, int major) {
        String dict = "{'descr': '" + DESCRS[random.nextInt(DESCRS.length)] + "', 'fortran_order': "
                + (random.nextInt(5) == 0 ? "True" : "False") + ", 'shape': " + SHAPES[random.nextInt(SHAPES.length)] + ", }";
        if (random.nextInt(6) == 0) {
            dict = dict.substring(0, random.nextInt(dict.length()));
        }
        byte[] header = (dict + "\n").getBytes(StandardCharsets.UTF_8);
        int lengthBytes = major == 1 ? 2 : 4;
        int payload = random.nextInt(4) == 0 ? 0 : random.nextInt(256);
        ByteBuffer buffer = ByteBuffer.allocate(8 + lengthBytes + header.length + payload).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        int declared = random.nextInt(8) == 0 ? random.nextInt() : header.length;
        if (major == 1) {
            buffer.putShort((short) declared);
        } else {
            buffer.putInt(declared);
        }
        buffer.put(header);
        return buffer.array();
    }

    private static String describe(byte[] bytes) {
        return new String(bytes, 0, Math.min(bytes.length, 120), StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "?");
    }
}
