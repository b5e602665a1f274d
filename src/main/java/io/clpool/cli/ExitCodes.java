package io.clpool.cli;

/** The command line's exit codes. */
public final class ExitCodes {
    /** Done; for {@code check} and {@code demo}, every result also equalled the reference. */
    public static final int OK = 0;
    /** A failed comparison, a missing OpenCL runtime the user asked for, or an internal error. */
    public static final int FAILURE = 1;
    /** A usage error: bad flag, missing file, bad spec, mismatched shapes. Nothing was written. */
    public static final int USAGE = 2;

    private ExitCodes() {}
}
