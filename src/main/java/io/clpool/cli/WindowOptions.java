package io.clpool.cli;

import io.clpool.spec.PoolSpec;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The window flags of fixed-window pooling and unpooling: kernel, stride, padding, dilation, ceil
 * mode. Each takes one value for every spatial axis or one per axis of the input (L; H,W;
 * D,H,W), checked against the input's rank by {@link #spec}.
 */
final class WindowOptions {
    @Option(names = "--kernel", paramLabel = "K|KH,KW|KD,KH,KW", converter = Flags.PerAxisConverter.class,
            description = "Window size: one value for every spatial axis, or one per axis of the input (L; H,W; D,H,W).")
    Flags.PerAxis kernel;

    @Option(names = "--stride", paramLabel = "S|SH,SW|SD,SH,SW", converter = Flags.PerAxisConverter.class,
            description = "Window step, likewise (default: the kernel size).")
    Flags.PerAxis stride;

    @Option(names = "--padding", paramLabel = "P|PH,PW|PD,PH,PW", converter = Flags.PerAxisConverter.class,
            description = "Implicit padding on each side, at most half the kernel, likewise (default: 0).")
    Flags.PerAxis padding;

    @Option(names = "--dilation", paramLabel = "D|DH,DW|DD,DH,DW", converter = Flags.PerAxisConverter.class,
            description = "Spacing between window taps, likewise (default: 1).")
    Flags.PerAxis dilation;

    @Option(names = "--ceil-mode", description = "Round the output size up, as PyTorch's ceil_mode=True.")
    boolean ceilMode;

    /** The flags given on the command line, for messages about flags that do not apply. */
    List<String> given() {
        List<String> flags = new ArrayList<>();
        if (kernel != null) flags.add("--kernel");
        if (stride != null) flags.add("--stride");
        if (padding != null) flags.add("--padding");
        if (dilation != null) flags.add("--dilation");
        if (ceilMode) flags.add("--ceil-mode");
        return flags;
    }

    /**
     * The spec for an input of {@code rank}, with {@code defaultKernel} when --kernel is absent;
     * null when both are. A flag with neither one value nor one per spatial axis is a usage error
     * naming the flag, its values and {@code input}'s rank.
     */
    PoolSpec spec(Flags.PerAxis defaultKernel, InputRank rank, String input) {
        Flags.PerAxis k = kernel != null ? kernel : defaultKernel;
        if (k == null) {
            return null;
        }
        int[] kernelSizes = rank.perAxis(kernel != null ? "--kernel" : "the default kernel", k, 1, input);
        int[] strides = stride != null ? rank.perAxis("--stride", stride, 1, input) : kernelSizes;
        int[] pads = rank.perAxis("--padding", padding != null ? padding : Flags.PerAxis.of(0), 0, input);
        int[] dilations = rank.perAxis("--dilation", dilation != null ? dilation : Flags.PerAxis.of(1), 1, input);
        return InputRank.spec(kernelSizes, strides, pads, dilations, ceilMode);
    }
}
