package io.clpool.opencl;

import org.jocl.CL;

/** An OpenCL call failed; the message names the call, the error code and its symbolic name. */
public class ClException extends RuntimeException {
    private final int errorCode;

    public ClException(String call, int errorCode) {
        super(call + " failed with " + CL.stringFor_errorCode(errorCode) + " (" + errorCode + ")" + hint(errorCode));
        this.errorCode = errorCode;
    }

    public ClException(String message) {
        super(message);
        this.errorCode = 0;
    }

    public int errorCode() {
        return errorCode;
    }

    /** Throws a {@link ClException} naming {@code call} and the error when {@code errorCode} is not CL_SUCCESS. */
    public static void check(int errorCode, String call) {
        if (errorCode != CL.CL_SUCCESS) {
            throw new ClException(call, errorCode);
        }
    }

    private static String hint(int errorCode) {
        if (errorCode == CL.CL_MEM_OBJECT_ALLOCATION_FAILURE || errorCode == CL.CL_OUT_OF_RESOURCES
                || errorCode == CL.CL_OUT_OF_HOST_MEMORY) {
            return ": the device ran out of memory; try a smaller batch";
        }
        return "";
    }
}
