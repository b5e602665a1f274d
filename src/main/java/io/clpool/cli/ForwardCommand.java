package io.clpool.cli;

import io.clpool.Tensor;
import io.clpool.io.Npy;
import io.clpool.spec.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clpool forward}: pools a 3-D (N,C,L), 4-D (N,C,H,W) or 5-D (N,C,D,H,W) .npy file. */
@Command(name = "forward", sortOptions = false,
        description = {"Pool a float32 or float16 .npy file; write the result in its type (and the winning indices, as int64) as .npy, "
                + "of the input's rank.",
                "A 3-D input (N,C,L) is pooled along L, 4-D (N,C,H,W) over H and W, 5-D (N,C,D,H,W) over D, H and W."})
final class ForwardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", paramLabel = "X.npy", required = true, description = "The input, N×C×L, N×C×H×W or N×C×D×H×W (N×H×W×C, N×D×H×W×C with --channels-last), "
                    + "float32 or float16 (any float with --dtype).")
    Path input;

    @Option(names = "--output", paramLabel = "OUT.npy", required = true, description = "Where the pooled values go.")
    Path output;

    @Option(names = "--indices", paramLabel = "IDX.npy",
            description = "max, min, adaptive-max, fractional-max: where the winning indices go (int64 offsets inside the input's "
                    + "plane: l, h·W + w, or d·H·W + h·W + w).")
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
        StagedOutputs.check(StagedOutputs.named("--output", output, "--indices", indices), StagedOutputs.named("--input", input));
        Npy.Header header = TensorFiles.header("--input", input);
        InputRank rank = TensorFiles.rankOf("--input", input, header, format.layout());
        TensorFormat types = TensorFormat.of(format, "--input", input, header);
        PoolingRequest request = flags.forInput(rank, "--input " + input);
        requireHeap(request, header, rank, types);
        Tensor x = TensorFiles.readTensor("--input", input, rank, types);
        Shape outShape = request.outputShape(x.shape());

        PoolingRequest.Forward result;
        String where;
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            result = request.forward(backend.pooling(), x);
            where = backend.describe();
        }
        long[] outDims = rank.npyDims(outShape);
        try (StagedOutputs outputs = new StagedOutputs()) {
            outputs.stage("--output", output, path -> types.write(path, outDims, result.values().withLayout(types.layout())));
            if (indices != null) {
                outputs.stage("--indices", indices,
                        path -> Npy.writeInt64(path, outDims, result.indices().withLayout(types.layout()).data()));
            }
            List<Path> written = outputs.commit();
            spec.commandLine().getOut().println(rank.format(request) + ": " + rank.format(x.shape()) + " -> " + rank.format(outShape)
                    + types.suffix() + " on " + where + "; wrote " + String.join(", ", written.stream().map(Path::toString).toList()));
        }
        return ExitCodes.OK;
    }

    /**
     * Before reading: the input while read, the values and indices of the result, and the
     * backend's converted copies of a channels-last or half-precision input and result.
     */
    private void requireHeap(PoolingRequest request, Npy.Header header, InputRank rank, TensorFormat types) {
        Shape in = TensorFiles.shapeOf(header, rank, types.layout());
        long out = request.outputShape(in).elementCount();
        long winners = request.op().hasIndices() ? out * 4 : 0;
        HeapCheck.require(TensorFormat.readingBytes(in.elementCount(), header.elementSize()) + out * 4 + winners
                + types.conversionBytes(in.elementCount() + out) + (types.plain() ? 0 : winners),
                "forward of " + TensorFiles.describe("--input", input, header));
    }
}
