package io.clpool.opencl;

import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_PLATFORM_NAME;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * Finds OpenCL devices and picks one: the user's choice ({@value #PROPERTY} system property or
 * {@value #ENVIRONMENT} environment variable: {@code cpu}, {@code gpu}, or a substring of the
 * platform or device name), else the first GPU, else the first device of any type.
 */
public final class Devices {
    public static final String PROPERTY = "clpool.device";
    public static final String ENVIRONMENT = "CLPOOL_DEVICE";

    private Devices() {}

    /** Every device of every platform; throws {@link OpenClUnavailableException} when there is none. */
    public static List<DeviceInfo> list() {
        int[] count = new int[1];
        int status;
        try {
            status = CL.clGetPlatformIDs(0, null, count);
        } catch (LinkageError e) {
            throw new OpenClUnavailableException("the OpenCL library (libOpenCL.so) could not be loaded", e);
        }
        if (status != CL.CL_SUCCESS || count[0] == 0) {
            throw new OpenClUnavailableException("no OpenCL platform found (" + CL.stringFor_errorCode(status) + ")", null);
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        ClException.check(CL.clGetPlatformIDs(platforms.length, platforms, null), "clGetPlatformIDs");
        List<DeviceInfo> devices = new ArrayList<>();
        for (int p = 0; p < platforms.length; p++) {
            int[] deviceCount = new int[1];
            if (CL.clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, null, deviceCount) != CL.CL_SUCCESS) {
                continue; // a platform without devices (CL_DEVICE_NOT_FOUND) is not an error
            }
            cl_device_id[] ids = new cl_device_id[deviceCount[0]];
            ClException.check(CL.clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, ids.length, ids, null), "clGetDeviceIDs");
            String platformName = platformString(platforms[p], CL_PLATFORM_NAME);
            for (int d = 0; d < ids.length; d++) {
                devices.add(new DeviceInfo(platforms[p], ids[d], p, d, platformName,
                        deviceString(ids[d], CL_DEVICE_NAME), typeName(deviceLong(ids[d], CL_DEVICE_TYPE)),
                        deviceInt(ids[d], CL_DEVICE_MAX_COMPUTE_UNITS), deviceLong(ids[d], CL_DEVICE_GLOBAL_MEM_SIZE),
                        deviceLong(ids[d], CL_DEVICE_MAX_MEM_ALLOC_SIZE), deviceLong(ids[d], CL_DEVICE_MAX_WORK_GROUP_SIZE),
                        deviceString(ids[d], CL_DEVICE_VERSION)));
            }
        }
        if (devices.isEmpty()) {
            String pocl = poclCacheProblem(platforms);
            if (pocl != null) {
                throw OpenClUnavailableException.notUsable(pocl);
            }
            throw new OpenClUnavailableException("OpenCL platforms found but no device", null);
        }
        return devices;
    }

    /**
     * Why POCL, when it is among the platforms, shows no device: it hides its devices when it
     * cannot use its kernel cache directory ({@code POCL_CACHE_DIR}, else
     * {@code $XDG_CACHE_HOME/pocl/kcache}, else {@code ~/.cache/pocl/kcache}). Tries to create the
     * directory and a file in it, as POCL would; null when that works or POCL is not there.
     */
    static String poclCacheProblem(cl_platform_id[] platforms) {
        boolean pocl = false;
        for (cl_platform_id platform : platforms) {
            try {
                pocl |= isPocl(platformString(platform, CL_PLATFORM_NAME));
            } catch (RuntimeException e) {
                // a platform that cannot name itself is not POCL for this purpose
            }
        }
        return pocl ? poclCacheProblem(System.getenv()) : null;
    }

    static boolean isPocl(String platformName) {
        String name = platformName.toLowerCase(Locale.ROOT);
        return name.contains("portable computing language") || name.contains("pocl");
    }

    /** Whether POCL's cache directory, as {@code environment} sets it, is unusable, and what to do; else null. */
    static String poclCacheProblem(java.util.Map<String, String> environment) {
        String set = environment.get("POCL_CACHE_DIR");
        String xdg = environment.get("XDG_CACHE_HOME");
        java.nio.file.Path directory;
        String source;
        if (set != null && !set.isEmpty()) {
            directory = java.nio.file.Path.of(set);
            source = "POCL_CACHE_DIR=" + set;
        } else if (xdg != null && !xdg.isEmpty()) {
            directory = java.nio.file.Path.of(xdg, "pocl", "kcache");
            source = "$XDG_CACHE_HOME/pocl/kcache, POCL_CACHE_DIR being unset";
        } else {
            directory = java.nio.file.Path.of(System.getProperty("user.home"), ".cache", "pocl", "kcache");
            source = "~/.cache/pocl/kcache, POCL_CACHE_DIR being unset";
        }
        try {
            java.nio.file.Files.createDirectories(directory);
            java.nio.file.Files.delete(java.nio.file.Files.createTempFile(directory, "clpool-probe", ".tmp"));
            return null;
        } catch (java.io.IOException | RuntimeException e) {
            String reason = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
                    ? fs.getFile() + ": " + fs.getReason()
                    : e instanceof java.nio.file.FileSystemException fs ? fs.getFile() + ": " + e.getClass().getSimpleName() : e.toString();
            return "POCL, the OpenCL platform found, shows no device because it cannot write its kernel cache directory "
                    + directory + " (" + source + "): " + reason + "; set POCL_CACHE_DIR to a writable directory, e.g. "
                    + "export POCL_CACHE_DIR=/tmp/pocl-cache (ci/env.sh sets one under target/)";
        }
    }

    /** The user's preference from the system property, else the environment, else null. */
    public static String preference() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            value = System.getenv(ENVIRONMENT);
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** The device the user asked for, or the default. */
    public static DeviceInfo select() {
        return select(preference());
    }

    /**
     * {@code cpu} or {@code gpu} picks the first device of that type; any other text the first
     * device whose platform or device name contains it (case-insensitive); null the default.
     */
    public static DeviceInfo select(String preference) {
        return select(list(), preference);
    }

    static DeviceInfo select(List<DeviceInfo> devices, String preference) {
        if (preference == null || preference.isBlank() || preference.equalsIgnoreCase("auto")) {
            return devices.stream().filter(DeviceInfo::isGpu).findFirst().orElse(devices.get(0));
        }
        String wanted = preference.trim().toLowerCase(Locale.ROOT);
        for (DeviceInfo device : devices) {
            boolean matches = wanted.equals("cpu") || wanted.equals("gpu")
                    ? device.type().toLowerCase(Locale.ROOT).contains(wanted)
                    : (device.platformName() + " " + device.name()).toLowerCase(Locale.ROOT).contains(wanted);
            if (matches) {
                return device;
            }
        }
        List<String> names = devices.stream().map(DeviceInfo::describe).toList();
        throw new IllegalArgumentException("OpenCL device should match 'cpu', 'gpu' or a platform/device name, but got "
                + PROPERTY + "/" + ENVIRONMENT + ": '" + preference + "'; devices found: " + names);
    }

    private static String typeName(long type) {
        List<String> names = new ArrayList<>();
        if ((type & CL_DEVICE_TYPE_GPU) != 0) names.add("GPU");
        if ((type & CL_DEVICE_TYPE_CPU) != 0) names.add("CPU");
        if ((type & CL_DEVICE_TYPE_ACCELERATOR) != 0) names.add("ACCELERATOR");
        return names.isEmpty() ? "OTHER" : String.join("|", names);
    }

    private static String platformString(cl_platform_id platform, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(platform, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        ClException.check(CL.clGetPlatformInfo(platform, param, buffer.length, Pointer.to(buffer), null), "clGetPlatformInfo");
        return cString(buffer);
    }

    /** Whether {@code extensions}, a device's CL_DEVICE_EXTENSIONS (space separated), lists {@code extension}. */
    static boolean listsExtension(String extensions, String extension) {
        return java.util.Arrays.asList(extensions.trim().split("\\s+")).contains(extension);
    }

    static String deviceString(cl_device_id device, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(device, param, 0, null, size);
        byte[] buffer = new byte[(int) size[0]];
        ClException.check(CL.clGetDeviceInfo(device, param, buffer.length, Pointer.to(buffer), null), "clGetDeviceInfo");
        return cString(buffer);
    }

    private static int deviceInt(cl_device_id device, int param) {
        int[] value = new int[1];
        ClException.check(CL.clGetDeviceInfo(device, param, Sizeof.cl_uint, Pointer.to(value), null), "clGetDeviceInfo");
        return value[0];
    }

    static long deviceLong(cl_device_id device, int param) {
        long[] value = new long[1];
        ClException.check(CL.clGetDeviceInfo(device, param, Sizeof.cl_ulong, Pointer.to(value), null), "clGetDeviceInfo");
        return value[0];
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The properties of a device a caller already holds (for a wrapped context); indices are -1. */
    static DeviceInfo describe(cl_device_id id) {
        cl_platform_id[] platform = {new cl_platform_id()};
        ClException.check(CL.clGetDeviceInfo(id, CL.CL_DEVICE_PLATFORM, org.jocl.Sizeof.cl_platform_id,
                org.jocl.Pointer.to(platform[0]), null), "clGetDeviceInfo(CL_DEVICE_PLATFORM)");
        return new DeviceInfo(platform[0], id, -1, -1, platformString(platform[0], CL_PLATFORM_NAME),
                deviceString(id, CL_DEVICE_NAME), typeName(deviceLong(id, CL_DEVICE_TYPE)),
                deviceInt(id, CL_DEVICE_MAX_COMPUTE_UNITS), deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE),
                deviceLong(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE), deviceLong(id, CL_DEVICE_MAX_WORK_GROUP_SIZE),
                deviceString(id, CL_DEVICE_VERSION));
    }
}
