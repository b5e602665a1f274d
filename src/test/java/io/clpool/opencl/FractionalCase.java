package io.clpool.opencl;

import io.clpool.Algorithm;
import io.clpool.PoolOp;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.FractionalSamples;
import io.clpool.spec.Shape;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import java.util.Random;

/** One fractional max pooling case of the 2-D and 3-D differential tests: an op, an input shape, its values' flavour and seed. */
record FractionalCase(Shape shape, PoolOp.FractionalMax op, Inputs flavour, long seed) {

    /** Every third case draws its samples from the seed; the others take {@link #explicitSamples}. */
    static FractionalSamples samples(Shape shape, long seed, int perPlane) {
        return seed % 3 == 0 ? FractionalSamples.seeded(seed) : explicitSamples(shape, seed, perPlane);
    }

    /** Random samples, {@code perPlane} a plane, with the ends of [0, 1) (0 and the float below 1) mixed in. */
    private static FractionalSamples explicitSamples(Shape shape, long seed, int perPlane) {
        Random random = new Random(seed);
        float[] u = new float[perPlane * shape.n() * shape.c()];
        for (int i = 0; i < u.length; i++) {
            int pick = random.nextInt(4);
            u[i] = pick == 0 ? 0f : pick == 1 ? Math.nextDown(1f) : random.nextFloat();
        }
        return FractionalSamples.of(shape.n(), shape.c(), perPlane, u);
    }

    /** Values and indices bit for bit the reference's, the gradient too, and the same bits twice. */
    void check(ClContext context, ReferencePooling reference) {
        Tensor x = flavour.tensor(shape, seed);
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO)) {
            Differential.checkExactAndDeterministic(device, reference, op, x, seed);
        }
    }

    @Override
    public String toString() {
        return shape + " " + op + " " + flavour;
    }
}
