package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.io.Npy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output paths are checked before any work, and written all or nothing: two flags naming one file
 * (also as {@code ./x} or through a link), an output that is an input, a directory, a name too
 * long all fail as one-line usage errors that name the flag and the path, and leave every file as
 * it was; a commit that fails half-way restores what it had replaced and leaves no temporary file.
 */
class CliOutputFilesTest {
    @TempDir
    Path dir;

    private Path x, gy, y, idx, old;

    @BeforeEach
    void files() throws IOException {
        x = dir.resolve("x.npy");
        Npy.writeFloat32(x, new long[] {1, 1, 4, 4}, new float[] {1, 6, 3, 4, 5, 2, 7, 8, 9, 1, 1, 1, 1, 1, 1, 2});
        gy = dir.resolve("gy.npy");
        Npy.writeFloat32(gy, new long[] {1, 1, 2, 2}, new float[] {1, 1, 1, 1});
        y = dir.resolve("y.npy");
        Npy.writeFloat32(y, new long[] {1, 1, 2, 2}, new float[] {6, 8, 9, 2});
        idx = dir.resolve("idx.npy");
        Npy.writeInt64(idx, new long[] {1, 1, 2, 2}, new int[] {1, 7, 8, 15});
        old = dir.resolve("old.npy");
        Files.writeString(old, "an existing output");
    }

    private String p(Path path) {
        return path.toString();
    }

    /** Exit 2, one line on stderr containing each of {@code expected}, no stack trace, no temporary name, no file changed. */
    private void assertRefused(List<String> args, String... expected) throws IOException {
        List<String> before = snapshot();
        CliRun run = CliRun.of(args);
        assertEquals(2, run.exitCode(), run::toString);
        assertEquals(1, run.errLines().size(), () -> "one line on stderr: " + run);
        for (String text : expected) {
            assertTrue(run.err().contains(text), () -> "expected '" + text + "' in: " + run);
        }
        assertFalse(run.err().contains(".tmp") || run.err().contains(".clpool-"), () -> "no temporary name: " + run);
        assertFalse(run.err().contains("\tat "), () -> "no stack trace: " + run);
        assertEquals(before, snapshot(), "every file as it was, nothing added");
    }

    @Test
    void outputAndIndicesNamingOneFileAreRefused() throws IOException {
        assertRefused(List.of("forward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--output", p(old), "--indices", p(old)),
                "--output " + old, "--indices " + old, "the same file");
        // the same file spelt differently
        Path dotted = dir.resolve(".").resolve("old.npy");
        assertRefused(List.of("forward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--output", p(old), "--indices", p(dotted)),
                "the same file");
        Path link = Files.createSymbolicLink(dir.resolve("link.npy"), old);
        assertRefused(List.of("forward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--output", p(old), "--indices", p(link)),
                "the same file");
        Path fresh = dir.resolve("fresh.npy"); // not there yet: compared by name
        Files.createDirectories(dir.resolve("sub"));
        assertRefused(List.of("forward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--output", p(fresh),
                "--indices", p(dir.resolve("sub/../fresh.npy"))), "the same file");
    }

    @Test
    void anOutputThatIsAnInputIsRefusedInEveryCommand() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("x-link.npy"), x);
        assertRefused(List.of("forward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--output", p(link)),
                "--output " + link + " is the same file as --input " + x);
        assertRefused(List.of("forward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--output", p(y), "--indices", p(x)),
                "--indices " + x + " is the same file as --input");
        assertRefused(List.of("backward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--grad-output", p(gy), "--output", p(gy)),
                "--output " + gy + " is the same file as --grad-output");
        assertRefused(List.of("backward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--grad-output", p(gy),
                "--indices", p(idx), "--output", p(idx)), "--output " + idx + " is the same file as --indices");
        assertRefused(List.of("unpool", "--device", "cpu", "--kernel", "2", "--input", p(y), "--indices", p(idx), "--output", p(idx)),
                "--output " + idx + " is the same file as --indices");
    }

    @Test
    void aDirectoryAsOutputIsRefusedBeforeAnyWorkAndTheOtherOutputIsUntouched() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        // the first output exists: it must not be replaced when the second cannot be written
        assertRefused(List.of("forward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--output", p(old), "--indices", p(sub)),
                "--indices " + sub + " is a directory");
        assertRefused(List.of("forward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--output", p(sub)),
                "--output " + sub + " is a directory");
        assertRefused(List.of("backward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--grad-output", p(gy), "--output", p(sub)),
                "--output " + sub + " is a directory");
        assertRefused(List.of("unpool", "--device", "cpu", "--kernel", "2", "--input", p(y), "--indices", p(idx), "--output", p(sub)),
                "--output " + sub + " is a directory");
        Path notDirectory = old.resolve("y.npy"); // under a regular file
        assertRefused(List.of("forward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--output", p(notDirectory)),
                "--output " + notDirectory, "is not a directory");
    }

    @Test
    void aLongButValidFileNameIsWrittenAndATooLongOneIsRefused() throws IOException {
        Path longName = dir.resolve("v".repeat(240) + ".npy"); // 244 bytes: a temporary name must not make it longer
        Path longIndices = dir.resolve("i".repeat(251) + ".npy"); // 255 bytes, the most a name may have
        CliRun run = CliRun.of("forward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--output", p(longName),
                "--indices", p(longIndices));
        assertEquals(0, run.exitCode(), run::toString);
        assertArrayEquals(new float[] {6, 8, 9, 2}, Npy.read(longName).toFloats());
        assertArrayEquals(new int[] {1, 7, 8, 15}, Npy.read(longIndices).toInts());
        assertTrue(snapshot().stream().noneMatch(name -> name.startsWith(".")), "no temporary file left: " + snapshot());

        Path tooLong = dir.resolve("w".repeat(252) + ".npy");
        assertRefused(List.of("forward", "--device", "cpu", "--kernel", "2", "--input", p(x), "--output", p(tooLong)),
                "--output " + tooLong, "256 bytes long");
    }

    @Test
    void benchRefusesOneFileForJsonAndPlotBeforeTiming() throws IOException {
        Path same = dir.resolve("bench.out");
        assertRefused(List.of("bench", "--shape", "1,1,4,4", "--runs", "10", "--json", p(same), "--plot", p(same)),
                "--json " + same + " and --plot " + same + " name the same file");
        Path sub = Files.createDirectories(dir.resolve("plots"));
        assertRefused(List.of("bench", "--shape", "1,1,4,4", "--runs", "10", "--json", p(dir.resolve("b.json")), "--plot", p(sub)),
                "--plot " + sub + " is a directory");
    }

    @Test
    void demoRefusesAnOutDirectoryItCannotFillAndAnImageItWouldOverwrite() throws IOException {
        Path out = Files.createDirectories(dir.resolve("demo"));
        Files.createDirectories(out.resolve("grad.png")); // the fourth file of five: the first three must not be replaced
        Files.writeString(out.resolve("input.png"), "an older picture");
        assertRefused(List.of("demo", "--device", "cpu", "--out", p(out)), "--out " + out.resolve("grad.png") + " is a directory");

        Path out2 = Files.createDirectories(dir.resolve("demo2"));
        Path picture = out2.resolve("input.png");
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
        javax.imageio.ImageIO.write(image, "png", picture.toFile());
        assertRefused(List.of("demo", "--device", "cpu", "--image", p(picture), "--out", p(out2)),
                "--image " + picture + " is the file " + picture + " that the demo writes");
    }

    @Test
    void aFailedCommitRestoresWhatItReplacedAndLeavesNoTemporaryFile() throws IOException {
        Path first = dir.resolve("first.npy"), second = dir.resolve("second.npy"), third = dir.resolve("third.npy");
        Files.writeString(first, "first, before");
        Files.writeString(second, "second, before");
        StagedOutputs outputs = new StagedOutputs();
        outputs.stage("--first", first, path -> Files.writeString(path, "first, new"));
        outputs.stage("--third", third, path -> Files.writeString(path, "third, new")); // did not exist before
        outputs.stage("--second", second, path -> Files.writeString(path, "second, new"));
        // the last move fails: its target has become a directory that is not empty
        Files.delete(second);
        Files.createDirectories(second.resolve("inside"));
        List<String> blocked = snapshot().stream().filter(name -> !name.startsWith(".clpool-")).toList(); // less the staged files
        IOException failure = assertThrows(IOException.class, outputs::commit);
        outputs.close();
        assertTrue(failure.getMessage().startsWith("--second " + second + " could not be written: "), failure::getMessage);
        assertFalse(failure.getMessage().contains(".tmp") || failure.getMessage().contains(".clpool-"), failure::getMessage);
        assertEquals("first, before", Files.readString(first), "the replaced file is restored");
        assertFalse(Files.exists(third), "a file that was new is gone again");
        assertEquals(blocked, snapshot(), "no temporary or backup file left");
    }

    @Test
    void aSuccessfulCommitReplacesEveryTargetAndLeavesNoBackup() throws IOException {
        Path first = dir.resolve("first.npy"), second = dir.resolve("second.npy");
        Files.writeString(first, "first, before");
        try (StagedOutputs outputs = new StagedOutputs()) {
            outputs.stage("--first", first, path -> Files.writeString(path, "first, new"));
            outputs.stage("--second", second, path -> Files.writeString(path, "second, new"));
            assertEquals(List.of(first, second), outputs.commit());
        }
        assertEquals("first, new", Files.readString(first, StandardCharsets.UTF_8));
        assertEquals("second, new", Files.readString(second, StandardCharsets.UTF_8));
        assertTrue(snapshot().stream().noneMatch(name -> name.startsWith(".")), snapshot()::toString);
    }

    /** Every name under the directory, with a digest of each file's content. */
    private List<String> snapshot() throws IOException {
        List<String> entries = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = dir.relativize(file).toString();
                entries.add(Files.isRegularFile(file) ? name + "#" + java.util.Arrays.hashCode(Files.readAllBytes(file)) : name);
            }
        }
        return entries;
    }
}
