package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.io.Npy;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Inputs too large for the heap end in one line that names the need and the -Xmx to use, before
 * anything is allocated (a child JVM with -Xmx64m and inputs whose headers claim more: a sparse
 * .npy, a PNG that is only a header, bench's shape); and an Error that does escape (out of memory,
 * a missing native library) ends in one line that says what to do, not a stack trace.
 */
class CliMemoryProcessTest {
    @TempDir
    Path dir;

    private CliRun run(String... args) throws IOException, InterruptedException {
        return CliRun.inItsOwnJvm(dir, Duration.ofSeconds(60), List.of("-Xmx64m"), environment -> {}, args);
    }

    /** Exit 2 with one line naming the input and the -Xmx to use; nothing written. */
    private void assertRefusedForMemory(CliRun r, String... expected) {
        assertEquals(2, r.exitCode(), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
        assertFalse(r.err().contains("OutOfMemoryError") || r.err().contains("\tat "), r::toString);
        assertTrue(r.err().contains("of Java heap, but this JVM may use at most 64 MiB; run java -Xmx"), r::toString);
        for (String text : expected) {
            assertTrue(r.err().contains(text), () -> "expected '" + text + "' in " + r);
        }
        assertFalse(Files.exists(dir.resolve("y.npy")));
    }

    /** A valid float32 .npy of {@code dims} whose data is a hole: the file takes no disk space. */
    private Path sparseNpy(String name, long... dims) throws IOException {
        return sparseNpy(name, "<f4", 4, dims);
    }

    /** A valid .npy of {@code descr} ({@code size} bytes per element) and {@code dims} whose data is a hole. */
    private Path sparseNpy(String name, String descr, int size, long... dims) throws IOException {
        StringBuilder shape = new StringBuilder();
        long count = 1;
        for (long d : dims) {
            shape.append(shape.length() == 0 ? "" : ", ").append(d);
            count *= d;
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        String header = dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
        Path file = dir.resolve(name);
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
            out.write(header.getBytes(StandardCharsets.ISO_8859_1));
            out.setLength(128 + count * size);
        }
        return file;
    }

    /** A PNG that is only its IHDR and IEND chunks: readers know its size, and decoding it would need W·H pixels. */
    private Path pngHeader(String name, int width, int height) throws IOException {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        byte[] png = concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, chunk("IHDR", ihdr.array()),
                chunk("IEND", new byte[0]));
        Path file = dir.resolve(name);
        Files.write(file, png);
        return file;
    }

    @Test
    void aNpyLargerThanTheHeapIsRefusedFromItsHeaderInEveryCommand() throws Exception {
        Path big = sparseNpy("big.npy", 1, 1, 4000, 4000); // 64 MB of float32, then the copies
        Path y = dir.resolve("y.npy");
        assertRefusedForMemory(run("forward", "--device", "cpu", "--kernel", "2", "--input", big.toString(), "--output", y.toString()),
                "forward of --input " + big + " (1x1x4000x4000 float32) needs about");
        Npy.writeFloat32(dir.resolve("gy.npy"), new long[] {1, 1, 1, 1}, new float[] {1});
        assertRefusedForMemory(run("backward", "--device", "cpu", "--kernel", "2", "--input", big.toString(),
                "--grad-output", dir.resolve("gy.npy").toString(), "--output", y.toString()), "backward of --input " + big);
        Npy.writeInt64(dir.resolve("idx.npy"), new long[] {1, 1, 1, 1}, new int[] {0});
        assertRefusedForMemory(run("unpool", "--device", "cpu", "--kernel", "2", "--input", big.toString(),
                "--indices", dir.resolve("idx.npy").toString(), "--output", y.toString()), "unpool of --input " + big);
    }

    /**
     * The estimate counts in the type: a float16 file of 4M elements (8 MB) is read into floats (4
     * bytes each, and a copy), and channels last or in a half type the backend computes on float32
     * channels-first copies: about 80 MB, refused with -Xmx64m, where counting its 2 bytes per
     * element would have said 32 MB.
     */
    @Test
    void aFloat16ChannelsLastFileIsEstimatedInFloats() throws Exception {
        Path half = sparseNpy("half.npy", "<f2", 2, 1, 1000, 1000, 4);
        Path y = dir.resolve("y.npy");
        assertRefusedForMemory(run("forward", "--device", "cpu", "--kernel", "2", "--channels-last", "--input", half.toString(),
                "--output", y.toString()), "forward of --input " + half + " (1x1000x1000x4 float16) needs about");
    }

    /** 5-D and 3-D headers too: the estimate is the element count of any rank. */
    @Test
    void volumesAndSequencesLargerThanTheHeapAreRefusedFromTheirHeaders() throws Exception {
        Path volume = sparseNpy("volume.npy", 1, 1, 250, 256, 256); // 64 MB of float32
        Path y = dir.resolve("y.npy");
        assertRefusedForMemory(run("forward", "--device", "cpu", "--kernel", "2,2,2", "--input", volume.toString(),
                "--output", y.toString()), "forward of --input " + volume + " (1x1x250x256x256 float32) needs about");
        Npy.writeInt64(dir.resolve("idx5.npy"), new long[] {1, 1, 1, 1, 1}, new int[] {0});
        assertRefusedForMemory(run("unpool", "--device", "cpu", "--output-size", "2", "--input", volume.toString(),
                "--indices", dir.resolve("idx5.npy").toString(), "--output", y.toString()), "unpool of --input " + volume);
        Path sequence = sparseNpy("sequence.npy", 1, 4, 4_000_000); // 64 MB of float32
        assertRefusedForMemory(run("forward", "--device", "cpu", "--kernel", "2", "--input", sequence.toString(),
                "--output", y.toString()), "forward of --input " + sequence + " (1x4x4000000 float32) needs about");
    }

    @Test
    void anImageLargerThanTheHeapIsRefusedFromItsHeader() throws Exception {
        Path png = pngHeader("huge.png", 4000, 4000);
        Path out = dir.resolve("demo");
        assertRefusedForMemory(run("demo", "--device", "cpu", "--image", png.toString(), "--out", out.toString()),
                "demo of --image " + png + " (4000x4000 pixels)");
        assertFalse(Files.exists(out));
    }

    @Test
    void aBenchShapeLargerThanTheHeapIsRefusedBeforeTheDevice() throws Exception {
        assertRefusedForMemory(run("bench", "--shape", "1,1,4000,4000", "--runs", "10"), "bench of --shape 1x1x4000x4000");
    }

    /** A command that throws the Error it is given, to see how the command line ends it. */
    @Command(name = "boom")
    static final class Boom implements java.util.concurrent.Callable<Integer> {
        static Error error;

        @Override
        public Integer call() {
            throw error;
        }
    }

    private static CliRun boom(Error error, String... args) {
        Boom.error = error;
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.addSubcommand(new CommandLine(new Boom()));
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("boom"));
        all.addAll(List.of(args));
        int code = commandLine.execute(all.toArray(String[]::new));
        return new CliRun(code, out.toString(), err.toString());
    }

    @Test
    void anOutOfMemoryErrorEndsInOneLineThatSuggestsALargerHeap() {
        CliRun run = boom(new OutOfMemoryError("Java heap space"));
        assertEquals(1, run.exitCode(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().startsWith("clpool boom: out of memory (Java heap space) with a Java heap of at most "), run::toString);
        assertTrue(run.err().contains("; run java -Xmx") && run.err().contains("or give a smaller input"), run::toString);
        CliRun tooLarge = boom(new OutOfMemoryError("Requested array size exceeds VM limit"));
        assertTrue(tooLarge.err().contains("an array larger than Java allows"), tooLarge::toString);
    }

    @Test
    void aMissingFontLibraryEndsInOneLineNamingItAndThePackage() {
        CliRun run = boom(new UnsatisfiedLinkError("/usr/lib/jvm/java-17/lib/libfontmanager.so: libfreetype.so.6: "
                + "cannot open shared object file: No such file or directory"));
        assertEquals(1, run.exitCode(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().contains("the library libfreetype.so.6 is missing"), run::toString);
        assertTrue(run.err().contains("sudo apt-get install -y libfreetype6"), run::toString);

        CliRun noFontconfig = boom(new NoClassDefFoundError("Could not initialize class sun.awt.X11FontManager"));
        assertEquals(1, noFontconfig.exitCode(), noFontconfig::toString);
        assertTrue(noFontconfig.err().contains("apt-get install -y libfreetype6 fontconfig"), noFontconfig::toString);
        CliRun verbose = boom(new InternalError("Fontconfig head is null, check your fonts or fonts configuration"));
        assertTrue(verbose.err().contains("apt-get install -y fontconfig fonts-dejavu-core"), verbose::toString);
    }

    @Test
    void anyOtherErrorIsAnInternalErrorOnOneLine() {
        CliRun run = boom(new StackOverflowError());
        assertEquals(1, run.exitCode(), run::toString);
        assertEquals(List.of("clpool boom: internal error: stack overflow (--verbose prints the stack trace)"), run.errLines());
    }

    private static byte[] chunk(String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(typeBytes).put(data).putInt((int) crc.getValue()).array();
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer all = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            all.put(part);
        }
        return all.array();
    }
}
