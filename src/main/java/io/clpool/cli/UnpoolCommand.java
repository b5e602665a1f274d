package io.clpool.cli;

import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.Tensor;
import io.clpool.Validation;
import io.clpool.io.Npy;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clpool unpool}: max unpooling, PyTorch's {@code max_unpool1d}, {@code max_unpool2d} and {@code max_unpool3d}. */
@Command(name = "unpool", sortOptions = false,
        description = {"Max unpooling: write each value of --input at its index in a zero plane (of the input's rank).",
                "The output shape is --output-shape, --output-size, or computed from the window flags as PyTorch does: "
                        + "(in - 1)·stride - 2·padding + kernel per spatial axis."})
final class UnpoolCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", paramLabel = "Y.npy", required = true,
            description = "Pooled values, N×C×L, N×C×H×W or N×C×D×H×W (N×H×W×C, N×D×H×W×C with --channels-last), "
                    + "float32 or float16 (any float with --dtype).")
    Path input;

    @Option(names = "--indices", paramLabel = "IDX.npy", required = true,
            description = "Their indices (l, h·W + w or d·H·W + h·W + w in the output plane), int64, of the same shape.")
    Path indices;

    @Option(names = "--output", paramLabel = "X.npy", required = true, description = "Where the unpooled tensor goes.")
    Path output;

    @Option(names = "--output-shape", paramLabel = "N,C,L|N,C,H,W|N,C,D,H,W", converter = Flags.DimsConverter.class,
            description = "The unpooled shape, of the input's rank (N,C,L; N,C,H,W; N,C,D,H,W), as the output file has it "
                    + "(N,H,W,C; N,D,H,W,C with --channels-last); instead of the window flags.")
    Flags.PerAxis outputShape;

    @Option(names = "--output-size", paramLabel = "O|OH,OW|OD,OH,OW", converter = Flags.PerAxisConverter.class,
            description = "The unpooled spatial size, one value for every spatial axis or one per axis (L; H,W; D,H,W); "
                    + "instead of the window flags.")
    Flags.PerAxis outputSize;

    @Mixin
    WindowOptions window;

    @Mixin
    FormatOptions format;

    @Mixin
    DeviceOptions device;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        if (outputShape != null && outputSize != null) {
            throw UsageError.conflict("--output-shape", "--output-size");
        }
        String sizeFlag = outputShape != null ? "--output-shape" : outputSize != null ? "--output-size" : null;
        if (sizeFlag != null && !window.given().isEmpty()) {
            throw UsageError.conflict(sizeFlag, window.given().get(0));
        }
        if (sizeFlag == null && window.kernel == null) {
            throw UsageError.required("--output-shape, --output-size or --kernel", "to know the unpooled size");
        }
        StagedOutputs.check(StagedOutputs.named("--output", output), StagedOutputs.named("--input", input, "--indices", indices));
        Npy.Header header = TensorFiles.header("--input", input);
        InputRank rank = TensorFiles.rankOf("--input", input, header, format.layout());
        TensorFormat types = TensorFormat.of(format, "--input", input, header);
        Shape target = target(rank, TensorFiles.shapeOf(header, rank, types.layout()));
        requireHeap(header, rank, target, types);
        Tensor values = TensorFiles.readTensor("--input", input, rank, types);
        IndexTensor idx = TensorFiles.readIndices("--indices", indices, rank, types.layout());
        if (!idx.shape().equals(values.shape())) {
            throw UsageError.shapeMismatch("--indices", rank, idx.shape(), values.shape(), "that of --input");
        }
        Validation.requireUnpoolIndices(values.shape(), idx, target);

        PoolOp unpool = target.volumetric() ? PoolOp.maxUnpool3d(target.d(), target.h(), target.w())
                : PoolOp.maxUnpool(target.h(), target.w());
        Tensor unpooled;
        String where;
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            unpooled = backend.pooling().forward(unpool, values, idx).values();
            where = backend.describe();
        }
        try (StagedOutputs outputs = new StagedOutputs()) {
            outputs.stage("--output", output, path -> types.write(path, rank.npyDims(target), unpooled.withLayout(types.layout())));
            outputs.commit();
        }
        spec.commandLine().getOut().println("unpool: " + rank.format(values.shape()) + " -> " + rank.format(target) + types.suffix()
                + " on " + where + "; wrote " + output);
        return ExitCodes.OK;
    }

    /** The unpooled shape of {@code in}, from whichever of --output-shape, --output-size and the window flags was given. */
    private Shape target(InputRank rank, Shape in) {
        String named = "--input " + input;
        if (outputShape != null) {
            return rank.wholeShape("--output-shape", outputShape, named, in.layout());
        }
        if (outputSize != null) {
            int[] size = rank.perAxis("--output-size", outputSize, 1, named);
            return size.length == 3 ? in.withSpatial(size[0], size[1], size[2]) : in.withSpatial(1, size[0], size[1]);
        }
        PoolSpec poolSpec = window.spec(null, rank, named);
        return poolSpec.unpoolOutputShape(in);
    }

    /**
     * Before reading: the values and the indices while read, the unpooled tensor, and the
     * backend's converted copies of channels-last or half-precision values, indices and result.
     */
    private void requireHeap(Npy.Header header, InputRank rank, Shape target, TensorFormat types) {
        Shape in = TensorFiles.shapeOf(header, rank, types.layout());
        target.elementCountAsInt(); // larger than any Java array: that error, not one about the heap
        HeapCheck.require(TensorFormat.readingBytes(in.elementCount(), header.elementSize())
                + HeapCheck.readingIndices(in.elementCount()) + target.elementCount() * 4
                + types.conversionBytes(in.elementCount() + target.elementCount()) + (types.plain() ? 0 : in.elementCount() * 4),
                "unpool of " + TensorFiles.describe("--input", input, header) + " to " + rank.format(target));
    }
}
