package io.clpool.cli;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Output files written all or nothing: each is written to a temporary file beside its target and
 * moved into place by {@link #commit()}; {@link #close()} deletes whatever was not committed. So a
 * command that fails half-way leaves no partial or stale-looking output behind.
 */
final class StagedOutputs implements AutoCloseable {
    /** Writes one file's content to the path it is given. */
    interface Writer {
        void write(Path path) throws IOException;
    }

    private final Map<Path, Path> staged = new LinkedHashMap<>();

    /** Fails with a usage error, before any work, when {@code target}'s directory does not exist. */
    static void requireDirectory(String flag, Path target) {
        Path parent = target.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw UsageError.noDirectory(flag, target);
        }
    }

    void stage(Path target, Writer writer) throws IOException {
        // A fresh name beside the target (same file system, so the move is atomic), created by the
        // writer itself so that it gets the permissions of any new file, not createTempFile's 0600.
        Path temp = target.toAbsolutePath().resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        staged.put(target, temp);
        writer.write(temp);
    }

    /** Moves every staged file into place; returns the targets. */
    List<Path> commit() throws IOException {
        List<Path> done = new ArrayList<>();
        for (Map.Entry<Path, Path> entry : staged.entrySet()) {
            try {
                Files.move(entry.getValue(), entry.getKey(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(entry.getValue(), entry.getKey(), StandardCopyOption.REPLACE_EXISTING);
            }
            done.add(entry.getKey());
        }
        staged.clear();
        return done;
    }

    @Override
    public void close() throws IOException {
        for (Path temp : staged.values()) {
            Files.deleteIfExists(temp);
        }
        staged.clear();
    }
}
