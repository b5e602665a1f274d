package io.clpool.cli;

import io.clpool.spec.Shape;
import java.nio.file.Path;

/**
 * A mistake the user can fix: a bad flag, a missing file, shapes that do not fit. The command
 * line reports it as one line and exits with {@link ExitCodes#USAGE}. The factories below are the
 * one place where these messages are worded.
 */
public final class UsageError extends RuntimeException {

    public UsageError(String message) {
        super(message);
    }

    static UsageError missingFile(String flag, Path path) {
        return new UsageError(flag + " " + path + " does not exist");
    }

    static UsageError unreadable(String flag, Path path, Exception cause) {
        return new UsageError(flag + " " + path + " cannot be read: " + cause.getMessage());
    }

    static UsageError badContent(String flag, Path path, String problem) {
        return new UsageError(flag + " " + path + " " + problem);
    }

    static UsageError noDirectory(String flag, Path path) {
        return new UsageError(flag + " " + path + " cannot be written: directory "
                + (path.toAbsolutePath().getParent()) + " does not exist");
    }

    static UsageError required(String flag, String when) {
        return new UsageError(flag + " is required " + when);
    }

    static UsageError notApplicable(String flag, String when) {
        return new UsageError(flag + " does not apply " + when);
    }

    static UsageError conflict(String flag, String otherFlags) {
        return new UsageError("give either " + flag + " or " + otherFlags + ", not both");
    }

    /** Shapes as the files of {@code rank} have them ({@link InputRank#format}). */
    static UsageError shapeMismatch(String flag, InputRank rank, Shape actual, Shape expected, String why) {
        return new UsageError(flag + " should have shape " + rank.format(expected) + " (" + why + "), but got " + rank.format(actual));
    }
}
