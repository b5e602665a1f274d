package io.clpool.cli;

import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import picocli.CommandLine.Option;

/**
 * {@code --dtype} and {@code --channels-last} of the commands that read and write tensor files
 * (forward, backward, unpool): the type the tensors are computed and stored in, and the order
 * their files' dimensions are in. {@link TensorFormat} applies them to the files.
 */
final class FormatOptions {
    @Option(names = "--dtype", paramLabel = "float32|float16|bfloat16|float64", converter = Flags.DTypeConverter.class,
            description = "The type to compute and store in (default: the input file's: '<f2' float16, '<f4' float32, "
                    + "'<f8' float64). Every float file is rounded to it (to nearest even); bfloat16 reads and writes float32 "
                    + "files holding bfloat16 values; float64 is computed in double and written as '<f8', on a device with "
                    + "cl_khr_fp64.")
    DType dtype;

    @Option(names = "--channels-last",
            description = "The input, gradient, output and index files are stored N,H,W,C (N,D,H,W,C for 5-D files), "
                    + "PyTorch's channels_last; index values stay offsets in the logical plane. Not for 3-D (N,C,L) files.")
    boolean channelsLast;

    Layout layout() {
        return channelsLast ? Layout.CHANNELS_LAST : Layout.CHANNELS_FIRST;
    }
}
