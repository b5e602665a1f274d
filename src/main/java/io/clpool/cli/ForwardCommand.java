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

/** {@code clpool forward}: pools an NCHW .npy file. */
@Command(name = "forward", sortOptions = false,
        description = "Pool a 4-D NCHW float32 .npy file; write the result (and the winning indices, as int64) as .npy.")
final class ForwardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", paramLabel = "X.npy", required = true, description = "The input, N×C×H×W float32 (float64 is converted).")
    Path input;

    @Option(names = "--output", paramLabel = "OUT.npy", required = true, description = "Where the pooled values go.")
    Path output;

    @Option(names = "--indices", paramLabel = "IDX.npy",
            description = "max, min, adaptive-max, fractional-max: where the winning indices (h·W + w in the input plane, int64) go.")
    Path indices;

    @Mixin
    PoolingOptions pooling;

    @Mixin
    DeviceOptions device;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        PoolingRequest request = pooling.request(null);
        if (indices != null && !request.op().hasIndices()) {
            throw UsageError.notApplicable("--indices", "to --op " + request.op().name() + " (it has no indices)");
        }
        StagedOutputs.check(StagedOutputs.named("--output", output, "--indices", indices), StagedOutputs.named("--input", input));
        requireHeap(request);
        Tensor x = TensorFiles.readTensor("--input", input, spec.commandLine().getErr());
        Shape outShape = request.outputShape(x.shape());

        PoolingRequest.Forward result;
        String where;
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            result = request.forward(backend.pooling(), x);
            where = backend.describe();
        }
        try (StagedOutputs outputs = new StagedOutputs()) {
            outputs.stage("--output", output, path -> Npy.writeFloat32(path, outShape.toLongArray(), result.values().data()));
            if (indices != null) {
                outputs.stage("--indices", indices, path -> Npy.writeInt64(path, outShape.toLongArray(), result.indices().data()));
            }
            List<Path> written = outputs.commit();
            spec.commandLine().getOut().println(request + ": " + x.shape() + " -> " + outShape + " on " + where
                    + "; wrote " + String.join(", ", written.stream().map(Path::toString).toList()));
        }
        return ExitCodes.OK;
    }

    /** Before reading: the input while read, plus the values and indices of the result. */
    private void requireHeap(PoolingRequest request) {
        Npy.Header header = TensorFiles.header("--input", input);
        Shape in = TensorFiles.shapeOf(header);
        if (in == null) {
            return; // reading the file says what is wrong with it
        }
        long out = request.outputShape(in).elementCount();
        HeapCheck.require(HeapCheck.readingFloats(in.elementCount(), header.elementSize()) + out * 4
                + (request.op().hasIndices() ? out * 4 : 0), "forward of " + TensorFiles.describe("--input", input, header));
    }
}
