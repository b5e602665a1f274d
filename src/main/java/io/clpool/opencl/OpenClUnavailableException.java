package io.clpool.opencl;

/** No usable OpenCL runtime, platform or device; the message says what to install. */
public class OpenClUnavailableException extends ClException {
    public static final String INSTALL_HINT = "install an OpenCL runtime, e.g. on Debian/Ubuntu: "
            + "sudo apt-get install -y pocl-opencl-icd ocl-icd-libopencl1 ocl-icd-opencl-dev clinfo "
            + "(or run ci/setup.sh), or your GPU vendor's OpenCL driver";

    public OpenClUnavailableException(String what, Throwable cause) {
        this(what + "; " + INSTALL_HINT, cause, false);
    }

    /**
     * A runtime that is installed but cannot run, where installing one would not help: the message
     * says what to do instead, with no install hint.
     */
    public static OpenClUnavailableException notUsable(String message) {
        return new OpenClUnavailableException(message, null, false);
    }

    private OpenClUnavailableException(String message, Throwable cause, boolean unused) {
        super(message);
        if (cause != null) {
            initCause(cause);
        }
    }
}
