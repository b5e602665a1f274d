package io.clpool.cli;

import io.clpool.Tensor;
import io.clpool.io.Npy;
import io.clpool.io.NpyArray;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.Shape;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The type and layout of a command's tensors, and the one place where {@code --dtype}'s rules
 * turn float files into tensors of that type and tensors back into files:
 * <ul>
 * <li>Without {@code --dtype} the type is the input file's: {@code <f2} is float16, {@code <f4}
 * float32, {@code <f8} float64; every other float file of the command ({@code --grad-output}) must
 * have the input's dtype.
 * <li>With {@code --dtype} every float file, float16, float32 or float64, is rounded to that type
 * once, to nearest even (float64 straight from the double). bfloat16, which .npy has no dtype for,
 * only comes this way: from float files, written back as float32 files holding bfloat16 values.
 * </ul>
 * Results are written in the type: float32 as {@code <f4}, float16 as {@code <f2}, bfloat16 as
 * {@code <f4}, float64 as {@code <f8}. The layout ({@code --channels-last}) says only in which order the files' dimensions
 * are; the data is in that order in the files and in the tensors alike.
 *
 * @param requested whether the type came from {@code --dtype} (every float file is converted to it)
 * @param source how messages name the file the type came from, e.g. {@code --input x.npy}
 */
record TensorFormat(DType dtype, Layout layout, boolean requested, String source) {

    /**
     * The format of a command whose input is {@code path} with {@code header}: {@code --dtype}, or
     * the input's dtype; an integer input is a usage error.
     */
    static TensorFormat of(FormatOptions flags, String flag, Path path, Npy.Header header) {
        String source = flag + " " + path;
        if (flags.dtype != null) {
            return new TensorFormat(flags.dtype, flags.layout(), true, source);
        }
        String kind = header.dtype().substring(1);
        DType type = switch (kind) {
            case "f2" -> DType.FLOAT16;
            case "f4" -> DType.FLOAT32;
            case "f8" -> DType.FLOAT64;
            default -> throw notFloat(flag, path, header.typeName());
        };
        return new TensorFormat(type, flags.layout(), false, source);
    }

    /** The default of commands without files (check, bench): float32, channels first, unless the flags say otherwise. */
    static TensorFormat of(FormatOptions flags) {
        return new TensorFormat(flags.dtype == null ? DType.FLOAT32 : flags.dtype, flags.layout(), flags.dtype != null, "--dtype");
    }

    /**
     * The tensor of {@code shape} (in this layout) that {@code array}, read from {@code path} for
     * {@code flag}, holds: its values rounded to this type, or, without {@code --dtype}, a usage
     * error unless the file has the input's dtype.
     */
    Tensor tensor(String flag, Path path, NpyArray array, Shape shape) {
        if (array.isInteger()) {
            throw notFloat(flag, path, array.typeName());
        }
        if (!requested) {
            DType fileType = array.isFloat16() ? DType.FLOAT16 : array.isFloat32() ? DType.FLOAT32 : DType.FLOAT64;
            if (fileType != dtype) {
                throw new UsageError(flag + " " + path + " holds " + array.typeName() + ", but " + source + " holds " + dtype.label()
                        + ": without --dtype every float file must have the input's dtype; give --dtype to round them all to one type");
            }
        }
        return array.toTensor(shape, dtype);
    }

    /** Writes {@code tensor} (of this type) as a .npy file of {@code dims}: {@code <f2} for float16, {@code <f8} for float64, else {@code <f4}. */
    void write(Path path, long[] dims, Tensor tensor) throws IOException {
        if (tensor.dtype() != dtype) {
            throw new IllegalStateException("a " + tensor.dtype().label() + " result for a " + dtype.label() + " command");
        }
        Npy.write(path, dims, tensor);
    }

    /** True for float32 channels first: the backends compute on the tensors as they are, with no converted copies. */
    boolean plain() {
        return dtype == DType.FLOAT32 && layout == Layout.CHANNELS_FIRST;
    }

    /** What a command's summary line adds after the shapes: nothing for float32, else the type. */
    String suffix() {
        return switch (dtype) {
            case FLOAT32 -> "";
            case FLOAT16 -> " float16";
            case BFLOAT16 -> " bfloat16 (in float32 files)";
            case FLOAT64 -> " float64";
        };
    }

    /** Bytes a float file of {@code elements} elements of {@code fileElementSize} bytes takes on the heap while read into a tensor. */
    static long readingBytes(long elements, int fileElementSize) {
        // The reader holds float16 as floats (4 bytes), float64 as doubles; the tensor is a copy (of at most 8 bytes an element).
        long copy = fileElementSize == 8 ? elements * 4 : 0; // a float64 tensor's copy is 8 bytes an element, not 4
        return HeapCheck.readingFloats(elements, Math.max(4, fileElementSize)) + copy;
    }

    /**
     * Bytes the backends' conversions take besides the tensors themselves, for tensors of
     * {@code elements} elements in all: none for float32 channels first; otherwise a float32
     * channels-first copy of each tensor and of each result on the way back (two arrays of 4 bytes
     * at their peak; 8 for float64).
     */
    long conversionBytes(long elements) {
        return plain() ? 0 : elements * 2 * Math.max(4, dtype.bytes());
    }

    private static UsageError notFloat(String flag, Path path, String typeName) {
        return UsageError.badContent(flag, path, "should hold float16, float32 or float64 values, but has dtype " + typeName);
    }
}
