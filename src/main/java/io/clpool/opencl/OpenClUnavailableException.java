package io.clpool.opencl;

/** No usable OpenCL runtime, platform or device; the message says what to install. */
public class OpenClUnavailableException extends ClException {
    public static final String INSTALL_HINT = "install an OpenCL runtime, e.g. on Debian/Ubuntu: "
            + "sudo apt-get install -y pocl-opencl-icd ocl-icd-libopencl1 ocl-icd-opencl-dev clinfo "
            + "(or run ci/setup.sh), or your GPU vendor's OpenCL driver";

    public OpenClUnavailableException(String what, Throwable cause) {
        super(what + "; " + INSTALL_HINT);
        if (cause != null) {
            initCause(cause);
        }
    }
}
