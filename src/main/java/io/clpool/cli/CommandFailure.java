package io.clpool.cli;

/**
 * A command that could not do what it is for, for a reason the message states and the user can
 * act on (e.g. {@code check} without a device to check): one line, exit {@link ExitCodes#FAILURE}.
 */
final class CommandFailure extends RuntimeException {
    CommandFailure(String message) {
        super(message);
    }
}
