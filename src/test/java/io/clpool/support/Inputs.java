package io.clpool.support;

import io.clpool.Tensor;
import io.clpool.spec.Shape;
import java.util.Random;

/** Seeded test inputs of the flavours the semantics care about. */
public enum Inputs {
    /** Standard normal values. */
    NORMAL,
    /** Small integers: many ties inside every window. */
    TIES,
    /** Normal values with NaN, +inf and −inf sprinkled in. */
    SPECIAL,
    /** Every value negative: a zero-padded im2col would wrongly return 0 near the border. */
    NEGATIVE,
    /** One value everywhere: every window is a tie. */
    CONSTANT;

    public Tensor tensor(Shape shape, long seed) {
        Random random = new Random(seed);
        float[] data = new float[shape.elementCountAsInt()];
        for (int i = 0; i < data.length; i++) {
            data[i] = switch (this) {
                case NORMAL -> (float) random.nextGaussian();
                case TIES -> random.nextInt(3) - 1;
                case SPECIAL -> special(random);
                case NEGATIVE -> -1f - (float) Math.abs(random.nextGaussian());
                case CONSTANT -> -0.5f;
            };
        }
        return new Tensor(shape, data);
    }

    private static float special(Random random) {
        int pick = random.nextInt(20);
        return switch (pick) {
            case 0 -> Float.NaN;
            case 1 -> Float.POSITIVE_INFINITY;
            case 2 -> Float.NEGATIVE_INFINITY;
            default -> (float) random.nextGaussian();
        };
    }

    /** A gradient of normal values for backward tests. */
    public static Tensor gradient(Shape shape, long seed) {
        return NORMAL.tensor(shape, seed ^ 0x9E3779B97F4A7C15L);
    }
}
