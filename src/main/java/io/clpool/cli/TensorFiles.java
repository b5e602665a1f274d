package io.clpool.cli;

import io.clpool.IndexTensor;
import io.clpool.Tensor;
import io.clpool.io.Npy;
import io.clpool.io.NpyArray;
import io.clpool.spec.FractionalSamples;
import io.clpool.spec.Layout;
import io.clpool.spec.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the command line's .npy inputs: float tensors and integer index arrays of 3, 4 or 5
 * dimensions ({@link InputRank}), every file of a command of its input's rank and in its layout
 * (N,H,W,C with {@code --channels-last}); float16 files are read, and {@link TensorFormat} decides
 * what type a tensor gets.
 */
final class TensorFiles {
    private TensorFiles() {}

    /**
     * A tensor of {@code rank} in {@code format}'s type and layout: a float file converted, or
     * refused, by {@link TensorFormat#tensor}.
     */
    static Tensor readTensor(String flag, Path path, InputRank rank, TensorFormat format) {
        NpyArray array = read(flag, path);
        return format.tensor(flag, path, array, shape(flag, path, array.shape(), rank, format.layout()));
    }

    /**
     * Winning indices of {@code rank} stored in {@code layout}; int64 (PyTorch's dtype) or int32,
     * each value in int32's range (a logical offset in its plane, whatever the layout).
     */
    static IndexTensor readIndices(String flag, Path path, InputRank rank, Layout layout) {
        NpyArray array = read(flag, path);
        if (!array.isInteger()) {
            throw UsageError.badContent(flag, path, "should hold int64 indices, but has dtype " + array.typeName());
        }
        Shape shape = shape(flag, path, array.shape(), rank, layout);
        try {
            return new IndexTensor(shape, array.toInts());
        } catch (IllegalArgumentException e) {
            throw UsageError.badContent(flag, path, e.getMessage());
        }
    }

    /** Fractional max pooling's samples: float32 (or float64, converted), N×C×2 (2-D) or N×C×3 (3-D), each in [0, 1). */
    static FractionalSamples readSamples(String flag, Path path) {
        NpyArray array = read(flag, path);
        if (array.isInteger()) {
            throw UsageError.badContent(flag, path, "should hold float32 samples, but has dtype " + array.typeName());
        }
        long[] shape = array.shape();
        if (shape.length != 3 || (shape[2] != 2 && shape[2] != 3) || shape[0] < 1 || shape[1] < 1 || shape[0] > Integer.MAX_VALUE
                || shape[1] > Integer.MAX_VALUE) {
            throw UsageError.badContent(flag, path, "should have the shape N x C x 2 (2-D) or N x C x 3 (3-D), but has " + java.util.Arrays.toString(shape));
        }
        try {
            return FractionalSamples.of((int) shape[0], (int) shape[1], (int) shape[2], array.toFloats());
        } catch (IllegalArgumentException e) {
            throw UsageError.badContent(flag, path, e.getMessage());
        }
    }

    /**
     * The header of an input, read before its data so that a command can estimate the memory it
     * needs; the same usage errors as reading it.
     */
    static Npy.Header header(String flag, Path path) {
        if (!Files.exists(path)) {
            throw UsageError.missingFile(flag, path);
        }
        try {
            return Npy.header(path, Npy.Float16.READ);
        } catch (IOException e) {
            throw UsageError.unreadable(flag, path, e);
        }
    }

    /**
     * The rank of the array {@code header} describes, which decides the pooling: a usage error
     * naming the shape when it is not 3-, 4- or 5-D with every dimension positive, or when it is
     * 3-D (N,C,L) and {@code layout} channels last, a form PyTorch does not have either.
     */
    static InputRank rankOf(String flag, Path path, Npy.Header header, Layout layout) {
        long[] dims = header.shape();
        InputRank rank = InputRank.ofDims(dims.length);
        if (rank == null) {
            throw badShape(flag, path, dims, null, layout);
        }
        if (!rank.takes(layout)) {
            throw new UsageError("--channels-last takes 4-D (N,H,W,C) and 5-D (N,D,H,W,C) files, but " + flag + " " + path + " is "
                    + rank.describe() + ": PyTorch has no channels-last form of N,C,L tensors; leave out --channels-last");
        }
        shape(flag, path, dims, rank, layout);
        return rank;
    }

    /** The header's (logical) shape; call {@link #rankOf} first, which says what is wrong with a bad one. */
    static Shape shapeOf(Npy.Header header, InputRank rank, Layout layout) {
        return rank.shape(header.shape(), layout);
    }

    /** How a header is described in memory messages: {@code --input x.npy (1x1x40000x40000 float32)}. */
    static String describe(String flag, Path path, Npy.Header header) {
        StringBuilder dims = new StringBuilder();
        for (long d : header.shape()) {
            dims.append(dims.length() == 0 ? "" : "x").append(d);
        }
        return flag + " " + path + " (" + dims + " " + header.typeName() + ")";
    }

    private static NpyArray read(String flag, Path path) {
        if (!Files.exists(path)) {
            throw UsageError.missingFile(flag, path);
        }
        try {
            return Npy.read(path, Npy.Float16.READ); // its IllegalArgumentException names the file and the problem: a usage error as is
        } catch (IOException e) {
            throw UsageError.unreadable(flag, path, e);
        }
    }

    /** The library's shape of a file's dimensions, in {@code layout}'s order, which must be of {@code rank}. */
    private static Shape shape(String flag, Path path, long[] dims, InputRank rank, Layout layout) {
        if (dims.length != rank.dims()) {
            throw badShape(flag, path, dims, rank, layout);
        }
        try {
            return rank.shape(dims, layout);
        } catch (IllegalArgumentException e) {
            throw badShape(flag, path, dims, null, layout);
        }
    }

    /** {@code expected} null: any rank clpool pools, with positive dimensions; else that rank, as the input's. */
    private static UsageError badShape(String flag, Path path, long[] dims, InputRank expected, Layout layout) {
        String should = expected == null ? "should be " + (layout == Layout.CHANNELS_LAST
                ? "a 4-D (N,H,W,C) or 5-D (N,D,H,W,C) array" : InputRank.allowed()) + " with every dimension positive"
                : "should be " + expected.describe(layout) + " as the input is";
        return UsageError.badContent(flag, path, should + ", but has shape " + java.util.Arrays.toString(dims));
    }
}
