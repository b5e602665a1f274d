package io.clpool.cli;

import io.clpool.opencl.DeviceInfo;
import io.clpool.opencl.Devices;
import io.clpool.opencl.OpenClUnavailableException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code clpool devices}: every OpenCL platform and device, the default marked. */
@Command(name = "devices", description = "List every OpenCL platform and device; * marks the one clpool uses by default.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<DeviceInfo> devices;
        try {
            devices = Devices.list();
        } catch (OpenClUnavailableException e) {
            // Not an error of this command: saying what is missing is its answer.
            out.println("No OpenCL device: " + e.getMessage());
            return ExitCodes.OK;
        }
        DeviceInfo chosen = null;
        String chooseProblem = null;
        try {
            chosen = Devices.select(Devices.preference());
        } catch (IllegalArgumentException e) {
            chooseProblem = e.getMessage();
        }
        int platform = -1;
        for (DeviceInfo d : devices) {
            if (d.platformIndex() != platform) {
                platform = d.platformIndex();
                out.println("Platform " + platform + ": " + d.platformName().trim());
            }
            boolean isDefault = chosen != null && chosen.platformIndex() == d.platformIndex() && chosen.deviceIndex() == d.deviceIndex();
            out.printf(Locale.ROOT, "  %s [%d.%d] %s%n", isDefault ? "*" : " ", d.platformIndex(), d.deviceIndex(), d.name().trim());
            out.printf(Locale.ROOT, "        type %s, %d compute units, global memory %s, max allocation %s, %s%n",
                    d.type(), d.computeUnits(), bytes(d.globalMemBytes()), bytes(d.maxAllocBytes()), d.version().trim());
        }
        if (chooseProblem != null) {
            out.println(Main.warning(chooseProblem));
        }
        out.println("* = the default device; choose another with " + Devices.ENVIRONMENT + "=cpu|gpu|NAME or -D"
                + Devices.PROPERTY + "=...");
        return ExitCodes.OK;
    }

    private static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
