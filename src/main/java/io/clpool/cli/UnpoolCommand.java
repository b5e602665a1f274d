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

/** {@code clpool unpool}: max unpooling, PyTorch's {@code max_unpool2d}. */
@Command(name = "unpool", sortOptions = false,
        description = {"Max unpooling: write each value of --input at its index in a zero plane.",
                "The output shape is --output-shape, or computed from the window flags as PyTorch does: (in - 1)·stride - 2·padding + kernel."})
final class UnpoolCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", paramLabel = "Y.npy", required = true, description = "Pooled values, N×C×H×W float32.")
    Path input;

    @Option(names = "--indices", paramLabel = "IDX.npy", required = true,
            description = "Their indices (h·W + w in the output plane), int64, of the same shape.")
    Path indices;

    @Option(names = "--output", paramLabel = "X.npy", required = true, description = "Where the unpooled tensor goes.")
    Path output;

    @Option(names = "--output-shape", paramLabel = "N,C,H,W", converter = Flags.ShapeConverter.class,
            description = "The unpooled shape; instead of the window flags.")
    Shape outputShape;

    @Mixin
    WindowOptions window;

    @Mixin
    DeviceOptions device;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        PoolSpec poolSpec = window.spec(null);
        if (outputShape != null && !window.given().isEmpty()) {
            throw UsageError.conflict("--output-shape", window.given().get(0));
        }
        if (outputShape == null && poolSpec == null) {
            throw UsageError.required("--output-shape or --kernel", "to know the unpooled size");
        }
        StagedOutputs.check(StagedOutputs.named("--output", output), StagedOutputs.named("--input", input, "--indices", indices));
        requireHeap(poolSpec);
        Tensor values = TensorFiles.readTensor("--input", input, spec.commandLine().getErr());
        IndexTensor idx = TensorFiles.readIndices("--indices", indices);
        if (!idx.shape().equals(values.shape())) {
            throw UsageError.shapeMismatch("--indices", idx.shape(), values.shape(), "that of --input");
        }
        Shape target = outputShape != null ? outputShape : poolSpec.unpoolOutputShape(values.shape());
        Validation.requireUnpoolIndices(values.shape(), idx, target);

        Tensor unpooled;
        String where;
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            unpooled = backend.pooling().forward(PoolOp.maxUnpool(target.h(), target.w()), values, idx).values();
            where = backend.describe();
        }
        try (StagedOutputs outputs = new StagedOutputs()) {
            outputs.stage("--output", output, path -> Npy.writeFloat32(path, target.toLongArray(), unpooled.data()));
            outputs.commit();
        }
        spec.commandLine().getOut().println("unpool: " + values.shape() + " -> " + target + " on " + where + "; wrote " + output);
        return ExitCodes.OK;
    }

    /** Before reading: the values and the indices while read, and the unpooled tensor. */
    private void requireHeap(PoolSpec poolSpec) {
        Npy.Header header = TensorFiles.header("--input", input);
        Shape in = TensorFiles.shapeOf(header);
        if (in == null) {
            return; // reading the file says what is wrong with it
        }
        Shape target = outputShape != null ? outputShape : poolSpec.unpoolOutputShape(in);
        target.elementCountAsInt(); // larger than any Java array: that error, not one about the heap
        HeapCheck.require(HeapCheck.readingFloats(in.elementCount(), header.elementSize())
                + HeapCheck.readingIndices(in.elementCount()) + target.elementCount() * 4,
                "unpool of " + TensorFiles.describe("--input", input, header) + " to " + target);
    }
}
