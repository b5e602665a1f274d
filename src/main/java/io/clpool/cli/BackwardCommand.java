package io.clpool.cli;

import io.clpool.IndexTensor;
import io.clpool.Tensor;
import io.clpool.io.Npy;
import io.clpool.spec.Shape;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clpool backward}: the gradient of a pooling with respect to its input. */
@Command(name = "backward", sortOptions = false,
        description = "Given the input and the gradient of the output, write the gradient of the input (dX) as .npy.")
final class BackwardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", paramLabel = "X.npy", required = true, description = "The forward's input, N×C×L, N×C×H×W or N×C×D×H×W (N×H×W×C, N×D×H×W×C with --channels-last), "
                    + "float32 or float16 (any float with --dtype).")
    Path input;

    @Option(names = "--grad-output", paramLabel = "GY.npy", required = true,
            description = "The gradient of the forward's output (dY), of the output's shape (and the input's rank) and of "
                    + "the input's dtype (any float with --dtype, which rounds both to one type).")
    Path gradOutput;

    @Option(names = "--output", paramLabel = "DX.npy", required = true, description = "Where dX goes.")
    Path output;

    @Option(names = "--indices", paramLabel = "IDX.npy",
            description = "max, min, adaptive-max, fractional-max: the forward's indices; without it the forward is recomputed.")
    Path indices;

    @Mixin
    PoolingOptions pooling;

    @Mixin
    FormatOptions format;

    @Mixin
    DeviceOptions device;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        PoolingOptions.Checked flags = pooling.check(null);
        if (indices != null && !flags.op().hasIndices()) {
            throw UsageError.notApplicable("--indices", "to --op " + flags.op() + " (it has no indices)");
        }
        StagedOutputs.check(StagedOutputs.named("--output", output),
                StagedOutputs.named("--input", input, "--grad-output", gradOutput, "--indices", indices));
        Npy.Header header = TensorFiles.header("--input", input);
        InputRank rank = TensorFiles.rankOf("--input", input, header, format.layout());
        TensorFormat types = TensorFormat.of(format, "--input", input, header);
        PoolingRequest request = flags.forInput(rank, "--input " + input);
        requireHeap(request, header, rank, types);
        Tensor x = TensorFiles.readTensor("--input", input, rank, types);
        Shape outShape = request.outputShape(x.shape());
        String pooledOutput = "the " + request.op().name() + " output of --input " + rank.format(x.shape());
        Tensor dy = TensorFiles.readTensor("--grad-output", gradOutput, rank, types);
        if (!dy.shape().equals(outShape)) {
            throw UsageError.shapeMismatch("--grad-output", rank, dy.shape(), outShape, pooledOutput);
        }
        IndexTensor winners = null;
        if (indices != null) {
            winners = TensorFiles.readIndices("--indices", indices, rank, types.layout());
            if (!winners.shape().equals(outShape)) {
                throw UsageError.shapeMismatch("--indices", rank, winners.shape(), outShape, pooledOutput);
            }
            request.requireIndicesFit(dy, winners, x.shape());
        }

        Tensor dx;
        String where;
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            dx = request.backward(backend.pooling(), dy, x, winners);
            where = backend.describe();
        }
        try (StagedOutputs outputs = new StagedOutputs()) {
            outputs.stage("--output", output, path -> types.write(path, rank.npyDims(x.shape()), dx.withLayout(types.layout())));
            outputs.commit();
        }
        spec.commandLine().getOut().println(rank.format(request) + " backward: " + rank.format(dy.shape()) + " -> " + rank.format(x.shape())
                + types.suffix() + " on " + where + "; wrote " + output);
        return ExitCodes.OK;
    }

    /**
     * Before reading: the input and the gradient while read, the indices while read (or the
     * recomputed forward's), dX, and the backend's converted copies of a channels-last or
     * half-precision input, gradient, forward output and dX.
     */
    private void requireHeap(PoolingRequest request, Npy.Header header, InputRank rank, TensorFormat types) {
        Shape in = TensorFiles.shapeOf(header, rank, types.layout());
        long n = in.elementCount();
        long out = request.outputShape(in).elementCount();
        long gradient = HeapCheck.readingFloats(out, 8); // the file is checked against this shape once read
        long winners = request.op().hasIndices() ? (indices != null ? HeapCheck.readingIndices(out) : out * 8) : 0;
        long converted = types.conversionBytes(2 * n + 2 * out) + (types.plain() || !request.op().hasIndices() ? 0 : out * 4);
        HeapCheck.require(TensorFormat.readingBytes(n, header.elementSize()) + gradient + winners + n * 4 + converted,
                "backward of " + TensorFiles.describe("--input", input, header));
    }
}
