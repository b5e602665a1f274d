package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Inputs;
import io.clpool.support.DeviceTest;
import java.util.List;
import java.util.Map;
import org.jocl.Sizeof;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel files as a family: each compiles alone with its defaults, every legal variant of
 * im2col.cl builds, an illegal one fails with its reason, and the reduction without indices
 * (which no host op uses today) gives the reference's values.
 */
class KernelVariantsTest extends DeviceTest {
    private static final Map<String, List<String>> KERNELS = Map.of(
            "im2col.cl", List.of("im2col", "reduce_columns", "scatter_to_columns", "col2im_gather"),
            "im2col_general.cl", List.of("im2col", "reduce_extremum", "scatter_to_columns", "col2im_gather"),
            "adaptive.cl", List.of("adaptive_max_forward", "adaptive_avg_forward", "adaptive_max_backward", "adaptive_avg_backward"),
            "unpool.cl", List.of("unpool_claim", "unpool_gather", "unpool_backward"));

    @ParameterizedTest
    @ValueSource(strings = {"im2col.cl", "im2col_general.cl", "adaptive.cl", "unpool.cl"})
    void everyFileBuildsAloneWithItsDefaults(String file) {
        ClProgram program = context.program(file, KernelSource.options(Map.of()));
        KERNELS.get(file).forEach(program::kernel);
    }

    /**
     * direct.cl and volume.cl built for one op (window.cl's OP_KERNELS) emit exactly that op's
     * kernels and the shared ones; built without it, every kernel.
     */
    @ParameterizedTest
    @ValueSource(strings = {"direct.cl", "volume.cl"})
    void opKernelsBuildsEmitOnlyTheirOpsKernels(String file) {
        List<String> all = context.program(file, KernelSource.options(Map.of())).kernelNames();
        for (String op : List.of("extremum", "avg", "lp")) {
            assertTrue(all.stream().anyMatch(name -> op.equals(opOf(name))), file + " has no " + op + " kernel: " + all);
        }
        for (KernelSource.OpKernels ops : KernelSource.OpKernels.values()) {
            String op = List.of("extremum", "avg", "lp").get(ops.define());
            List<String> built = context.program(file, KernelSource.options(Map.of(KernelSource.OpKernels.DEFINE, ops.define()))).kernelNames();
            List<String> expected = all.stream().filter(name -> opOf(name) == null || opOf(name).equals(op)).toList();
            assertEquals(expected, built, file + " built for " + ops);
        }
    }

    /** The op a direct.cl or volume.cl kernel belongs to by its name, or null for a shared kernel. */
    private static String opOf(String kernel) {
        String name = kernel.startsWith("volume_") ? kernel.substring("volume_".length()) : kernel;
        if (name.startsWith("extremum_") || name.startsWith("indexed_")) {
            return "extremum";
        }
        if (name.startsWith("avg_")) {
            return "avg";
        }
        return name.startsWith("lp_") ? "lp" : null;
    }

    /** im2col_general.cl for every storage type, layout and max/min: 12 builds. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void everyGeneralIm2colVariantBuilds(int storage) {
        for (int channelsLast : new int[] {0, 1}) {
            for (int min : new int[] {0, 1}) {
                ClProgram program = context.program("im2col_general.cl",
                        KernelSource.options(Map.of("STORAGE", storage, "CHANNELS_LAST", channelsLast, "POOL_MIN", min)));
                KERNELS.get("im2col_general.cl").forEach(program::kernel);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"POOL_MAX", "POOL_MIN", "POOL_AVG", "POOL_LP"})
    void everyReductionVariantBuilds(String op) {
        boolean extremum = op.equals("POOL_MAX") || op.equals("POOL_MIN");
        for (int indices : extremum ? new int[] {0, 1} : new int[] {0}) {
            ClProgram program = context.program("im2col.cl", KernelSource.options(Map.of("POOL_OP", op, "POOL_INDICES", indices)));
            KERNELS.get("im2col.cl").forEach(program::kernel);
        }
    }

    @Test
    void indicesWithAnAverageFailToBuildWithTheReason() {
        ClException e = assertThrows(ClException.class, () ->
                context.program("im2col.cl", KernelSource.options(Map.of("POOL_OP", "POOL_AVG", "POOL_INDICES", 1))));
        assertTrue(e.getMessage().contains("POOL_INDICES needs POOL_OP POOL_MAX or POOL_MIN"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POOL_MAX", "POOL_MIN"})
    void reductionWithoutIndicesMatchesReference(String op) {
        Shape in = Shape.of(2, 3, 7, 93);
        PoolSpec spec = PoolSpec.of(3).withStride(2).withPadding(1).withCeilMode(true);
        Shape out = spec.outputShape(in);
        Tensor x = Inputs.SPECIAL.tensor(in, 9);
        long columns = out.elementCount();
        ClProgram program = context.program("im2col.cl", KernelSource.options(Map.of("POOL_OP", op, "POOL_INDICES", 0)));
        Object[] geometry = Im2colKernels.geometry(in, out, spec);
        try (ClBuffer input = context.upload(x.data(), "input");
             ClBuffer colValues = context.allocate(columns * spec.taps() * Sizeof.cl_float, "column values");
             ClBuffer colSource = context.allocate(columns * spec.taps() * Sizeof.cl_int, "column sources");
             ClBuffer values = context.allocate(columns * Sizeof.cl_float, "values")) {
            context.run(program.kernel("im2col"), new long[] {columns}, null,
                    Im2colKernels.arguments(input, colValues, colSource, columns, geometry));
            context.run(program.kernel("reduce_columns"), new long[] {columns}, null,
                    Im2colKernels.arguments(colValues, colSource, values, columns, geometry));
            float[] actual = new float[(int) columns];
            values.read(actual);
            PoolResult expected = op.equals("POOL_MIN") ? new ReferencePooling().minPool2d(x, spec) : new ReferencePooling().maxPool2d(x, spec);
            Compare.bitEqual(expected.values().data(), actual, op + " values without indices");
        }
    }
}
