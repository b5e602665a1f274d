package io.clpool.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** One OpenCL device and the properties clpool reports and plans with. */
public record DeviceInfo(cl_platform_id platform, cl_device_id device, int platformIndex, int deviceIndex,
                         String platformName, String name, String type, int computeUnits,
                         long globalMemBytes, long maxAllocBytes, long maxWorkGroupSize, String version) {

    public boolean isGpu() {
        return type.contains("GPU");
    }

    /** The device's OpenCL extensions (CL_DEVICE_EXTENSIONS), space separated; queried on each call. */
    public String extensions() {
        return Devices.deviceString(device, org.jocl.CL.CL_DEVICE_EXTENSIONS);
    }

    /** The device's local memory per work-group (CL_DEVICE_LOCAL_MEM_SIZE), in bytes; queried on each call. */
    public long localMemBytes() {
        return Devices.deviceLong(device, org.jocl.CL.CL_DEVICE_LOCAL_MEM_SIZE);
    }

    /** "platform / device" for logs and reports. */
    public String describe() {
        return platformName.trim() + " / " + name.trim() + " (" + type + ", " + version.trim() + ")";
    }
}
