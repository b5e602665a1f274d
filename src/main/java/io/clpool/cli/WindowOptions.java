package io.clpool.cli;

import io.clpool.spec.PoolSpec;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The window flags of fixed-window pooling and unpooling: kernel, stride, padding, dilation, ceil mode. */
final class WindowOptions {
    @Option(names = "--kernel", paramLabel = "K|KH,KW", converter = Flags.IntPairConverter.class,
            description = "Window size, one value for both axes or height,width.")
    Flags.IntPair kernel;

    @Option(names = "--stride", paramLabel = "S|SH,SW", converter = Flags.IntPairConverter.class,
            description = "Window step (default: the kernel size).")
    Flags.IntPair stride;

    @Option(names = "--padding", paramLabel = "P|PH,PW", converter = Flags.IntPairConverter.class,
            description = "Implicit padding on each side, at most half the kernel (default: 0).")
    Flags.IntPair padding;

    @Option(names = "--dilation", paramLabel = "D|DH,DW", converter = Flags.IntPairConverter.class,
            description = "Spacing between window taps (default: 1).")
    Flags.IntPair dilation;

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

    /** The spec, with {@code defaultKernel} when --kernel is absent; null when both are. */
    PoolSpec spec(Flags.IntPair defaultKernel) {
        Flags.IntPair k = kernel != null ? kernel : defaultKernel;
        if (k == null) {
            return null;
        }
        Flags.IntPair s = stride != null ? stride : k;
        Flags.IntPair p = padding != null ? padding : new Flags.IntPair(0, 0);
        Flags.IntPair d = dilation != null ? dilation : new Flags.IntPair(1, 1);
        return new PoolSpec(k.h(), k.w(), s.h(), s.w(), p.h(), p.w(), d.h(), d.w(), ceilMode);
    }
}
