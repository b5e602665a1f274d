package io.clpool.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Output files written all or nothing. {@link #check} looks at every output path before any work
 * (a directory, a missing or read-only directory, a name too long, two flags naming one file, an
 * output that is an input all fail there, as usage errors). Each file is then written to a
 * temporary file with a short name beside its target and moved into place by {@link #commit()}:
 * existing targets are kept as backups until every move has succeeded, and restored if one fails.
 * {@link #close()} deletes whatever was not committed. So a command that fails half-way leaves
 * neither partial output nor temporary files behind, and the files that were there before are as
 * they were.
 */
final class StagedOutputs implements AutoCloseable {
    /** Writes one file's content to the path it is given. */
    interface Writer {
        void write(Path path) throws IOException;
    }

    /** The longest file name (in bytes) Linux file systems accept. */
    static final int NAME_MAX = 255;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Staged(String flag, Path temp) {}

    private final Map<Path, Staged> staged = new LinkedHashMap<>();

    /**
     * Fails with a one-line usage error, before any work, unless every output (flag to path; null
     * paths are skipped) can be written: not a directory nor some other non-file, in an existing,
     * writable directory, with a name of at most {@value #NAME_MAX} bytes, no two of them the same
     * file, and none of them an input (flag to path) — also through symbolic links, hard links,
     * {@code ./x} against {@code x}.
     */
    static void check(Map<String, Path> outputs, Map<String, Path> inputs) {
        Map<String, Path> seen = new LinkedHashMap<>();
        for (Map.Entry<String, Path> output : outputs.entrySet()) {
            Path target = output.getValue();
            if (target == null) {
                continue;
            }
            String flag = output.getKey();
            checkWritable(flag, target);
            for (Map.Entry<String, Path> other : seen.entrySet()) {
                if (sameFile(target, other.getValue())) {
                    throw new UsageError(other.getKey() + " " + other.getValue() + " and " + flag + " " + target
                            + " name the same file; give each output its own file");
                }
            }
            for (Map.Entry<String, Path> input : inputs.entrySet()) {
                if (input.getValue() != null && sameFile(target, input.getValue())) {
                    throw new UsageError(flag + " " + target + " is the same file as " + input.getKey() + " " + input.getValue()
                            + "; write the result to another file");
                }
            }
            seen.put(flag, target);
        }
    }

    /** Flags and their paths, in order, null paths included: {@code named("--input", x, "--indices", idx)}. */
    static Map<String, Path> named(Object... flagsAndPaths) {
        Map<String, Path> named = new LinkedHashMap<>();
        for (int i = 0; i < flagsAndPaths.length; i += 2) {
            named.put((String) flagsAndPaths[i], (Path) flagsAndPaths[i + 1]);
        }
        return named;
    }

    /** The checks of one output path; see {@link #check}. */
    static void checkWritable(String flag, Path target) {
        Path name = target.getFileName();
        if (name == null || name.toString().equals(".") || name.toString().equals("..") || Files.isDirectory(target)) {
            throw new UsageError(flag + " " + target + " is a directory; give the name of a file");
        }
        int nameBytes = name.toString().getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes > NAME_MAX) {
            throw new UsageError(flag + " " + target + " cannot be written: its file name is " + nameBytes
                    + " bytes long, and a file name may have at most " + NAME_MAX);
        }
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            throw new UsageError(flag + " " + target + " is not a regular file (a device, pipe or socket); give the name of a file");
        }
        Path parent = target.toAbsolutePath().getParent();
        if (parent == null || !Files.exists(parent)) {
            throw UsageError.noDirectory(flag, target);
        }
        if (!Files.isDirectory(parent)) {
            throw new UsageError(flag + " " + target + " cannot be written: " + parent + " is not a directory");
        }
        if (!Files.isWritable(parent)) {
            throw new UsageError(flag + " " + target + " cannot be written: directory " + parent + " is not writable");
        }
    }

    /** Whether two paths name one file: the same real path (links resolved), or the same existing file. */
    static boolean sameFile(Path a, Path b) {
        if (identity(a).equals(identity(b))) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b); // hard links
        } catch (IOException e) {
            return false;
        }
    }

    /** The real path of a file, or of its directory joined with its name when the file does not exist yet. */
    private static Path identity(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        try {
            if (Files.exists(path)) {
                return path.toRealPath();
            }
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null && Files.exists(parent) && path.getFileName() != null) {
                return parent.toRealPath().resolve(path.getFileName().toString()).normalize();
            }
        } catch (IOException e) {
            // unreadable: compare what we have
        }
        return absolute;
    }

    /**
     * Writes {@code target}'s content to a fresh temporary file beside it (same file system, so the
     * move is atomic). The file is created by the writer itself, so it gets the permissions of any
     * new file, not createTempFile's 0600. A failure names the flag and the target, not the
     * temporary file.
     */
    void stage(String flag, Path target, Writer writer) throws IOException {
        Path temp = freshSibling(target, ".tmp");
        staged.put(target, new Staged(flag, temp));
        try {
            writer.write(temp);
        } catch (IOException e) {
            throw new IOException(flag + " " + target + " could not be written: " + reason(e), e);
        }
    }

    /**
     * Moves every staged file into place, all or nothing: an existing target is first kept as a
     * backup (a hard link, else a copy) and the new file moved over it; if any step fails, every
     * target already replaced gets its backup back (a new one is deleted) and the exception is
     * rethrown, with no temporary or backup file left. Returns the targets.
     */
    List<Path> commit() throws IOException {
        record Move(Path target, Path backup, boolean[] placed) {}
        List<Move> moves = new ArrayList<>();
        try {
            for (Map.Entry<Path, Staged> entry : staged.entrySet()) {
                Path target = entry.getKey();
                Staged s = entry.getValue();
                Path backup = null;
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    backup = freshSibling(target, ".bak");
                    keep(target, backup);
                }
                Move move = new Move(target, backup, new boolean[1]);
                moves.add(move);
                try {
                    move(s.temp(), target);
                } catch (IOException e) {
                    throw new IOException(s.flag() + " " + target + " could not be written: " + reason(e), e);
                }
                move.placed()[0] = true;
            }
        } catch (IOException | RuntimeException e) {
            for (int i = moves.size() - 1; i >= 0; i--) {
                Move move = moves.get(i);
                try {
                    if (move.placed()[0]) {
                        if (move.backup() != null) {
                            move(move.backup(), move.target());
                        } else {
                            Files.deleteIfExists(move.target());
                        }
                    } else if (move.backup() != null) {
                        Files.deleteIfExists(move.backup());
                    }
                } catch (IOException undo) {
                    e.addSuppressed(undo);
                }
            }
            throw e; // close() deletes the temporary files not moved
        }
        for (Move move : moves) {
            if (move.backup() != null) {
                Files.deleteIfExists(move.backup());
            }
        }
        List<Path> done = new ArrayList<>(staged.keySet());
        staged.clear();
        return done;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Staged s : staged.values()) {
            try {
                Files.deleteIfExists(s.temp());
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        staged.clear();
        if (first != null) {
            throw first;
        }
    }

    /** {@code .clpool-<16 hex digits><suffix>} in {@code target}'s directory: 29 characters, whatever the target's length. */
    private static Path freshSibling(Path target, String suffix) {
        Path directory = target.toAbsolutePath().getParent();
        Path candidate;
        do {
            candidate = directory.resolve(".clpool-" + HexFormat.of().toHexDigits(RANDOM.nextLong()) + suffix);
        } while (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS));
        return candidate;
    }

    /** A second name for the existing {@code target}: a hard link where the file system has them, else a copy. */
    private static void keep(Path target, Path backup) throws IOException {
        try {
            Files.createLink(backup, target);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(target, backup, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** What went wrong, without the temporary file's name that Java's file exceptions lead with. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException fs) {
            return fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
