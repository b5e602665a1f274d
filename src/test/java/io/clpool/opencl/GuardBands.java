package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.DType;
import io.clpool.spec.Shape;
import io.clpool.support.Calls;
import io.clpool.support.Differential;
import java.util.Arrays;

/**
 * Guard bands: a plan's forward and backward write every output into a buffer longer than its
 * tensor, filled with sentinels, whose bytes past the tensor must stay as they were. On a CPU
 * device an out-of-bounds write would otherwise corrupt the JVM's own memory. Shared by
 * {@link GuardBandTest} and the GPU-family tests.
 */
final class GuardBands {
    private static final int GUARD = 4096;
    private static final float SENTINEL = 12345.678f;

    private GuardBands() {}

    /**
     * The forward and the backward of {@code op} on {@code x} (any rank, layout and type) through a
     * plan of {@code algorithm}, each output guarded; {@code taken}: the indices max unpooling takes,
     * else null.
     */
    static void checkPasses(ClContext context, PoolOp op, Algorithm algorithm, Tensor x, IndexTensor taken, String what) {
        PoolResult expected = new ReferencePooling().forward(op, x, taken);
        Shape in = x.shape();
        Shape out = expected.values().shape();
        DType dtype = x.dtype();
        try (PoolPlan plan = PoolPlan.create(context, op, in, dtype, algorithm);
             DeviceTensor input = DeviceTensor.upload(context, x);
             DeviceIndices indicesIn = taken == null ? null : DeviceIndices.upload(context, taken);
             Guarded values = new Guarded(context, out, dtype);
             Guarded indices = op.hasIndices() ? new Guarded(context, out, DType.FLOAT32) : null) {
            if (op.hasIndices()) {
                Calls.await(plan.forward(input, values.tensor, indices.indices));
            } else if (op.takesIndices()) {
                Calls.await(plan.forward(input, values.tensor, indicesIn));
            } else {
                Calls.await(plan.forward(input, values.tensor));
            }
            values.requireUntouched(what + " forward values");
            if (indices != null) {
                indices.requireUntouched(what + " forward indices");
            }
            try (DeviceTensor gradOut = DeviceTensor.upload(context, Differential.gradient(out, 3, dtype));
                 Guarded gradIn = new Guarded(context, in, dtype)) {
                switch (op.backwardInputs()) {
                    case INDICES -> Calls.await(plan.backward(gradOut, indices != null ? indices.indices : indicesIn, gradIn.tensor));
                    case NONE -> Calls.await(plan.backward(gradOut, gradIn.tensor));
                    case INPUT_AND_OUTPUT -> Calls.await(plan.backward(gradOut, input, values.tensor, gradIn.tensor));
                }
                gradIn.requireUntouched(what + " backward");
            }
        }
    }

    /**
     * A buffer of the tensor's bytes plus {@value #GUARD} floats, filled with sentinels and wrapped
     * as a tensor of {@code dtype} and as indices of the shape (int32 indices: pass FLOAT32, as
     * wide); every byte past the tensor's is the guard band, for any element size.
     */
    private static final class Guarded implements AutoCloseable {
        final int usedBytes;
        final ClBuffer buffer;
        final DeviceTensor tensor;
        final DeviceIndices indices;
        final byte[] initial;

        Guarded(ClContext context, Shape shape, DType dtype) {
            usedBytes = shape.elementCountAsInt() * dtype.bytes();
            // Room for the tensor as int32 indices too (the wrap below checks it), then the band.
            float[] sentinels = new float[shape.elementCountAsInt() * Math.max(dtype.bytes(), Float.BYTES) / Float.BYTES + GUARD];
            Arrays.fill(sentinels, SENTINEL);
            buffer = context.upload(sentinels, "guarded output");
            tensor = DeviceTensor.wrap(context, buffer.handle(), shape, dtype);
            indices = DeviceIndices.wrap(context, buffer.handle(), shape);
            initial = bytes();
        }

        private byte[] bytes() {
            short[] halves = new short[2 * (int) (buffer.bytes() / Float.BYTES)];
            buffer.read(halves);
            byte[] out = new byte[2 * halves.length];
            for (int i = 0; i < halves.length; i++) {
                out[2 * i] = (byte) halves[i];
                out[2 * i + 1] = (byte) (halves[i] >> 8);
            }
            return out;
        }

        void requireUntouched(String what) {
            byte[] now = bytes();
            assertEquals(initial.length, now.length);
            for (int i = usedBytes; i < now.length; i++) {
                if (now[i] != initial[i]) {
                    fail(what + ": wrote byte " + Integer.toHexString(now[i] & 0xff) + " at " + i + ", past the " + usedBytes
                            + " bytes of the output");
                }
            }
        }

        @Override
        public void close() {
            tensor.close();
            indices.close();
            buffer.close();
        }
    }
}
