package io.clpool.spec;

import java.util.Arrays;
import java.util.Random;

/**
 * The per-plane random samples that place fractional max pooling's windows: PyTorch's
 * {@code _random_samples}, float32 of shape (N, C, 2) in 2-D or (N, C, 3) in 3-D, each in [0, 1).
 * In 2-D sample 0 of a plane places its columns (W), sample 1 its rows (H)
 * ({@code aten/src/ATen/native/FractionalMaxPool2d.cpp}); in 3-D sample 0 places its depth (T),
 * sample 1 its rows (H), sample 2 its columns (W) ({@code FractionalMaxPool3d.cpp}:
 * {@code generate_intervals(randomSamplesForPlane[0], inputT, ...)}, {@code [1]} for H, {@code [2]}
 * for W). Either given by the caller (with their N, C and samples per plane), or drawn from a seed
 * when an input's N and C are known: {@code new Random(seed)}, one {@link Random#nextFloat()} per
 * sample in (n, c, axis) order, 2 per plane in 2-D and 3 per plane in 3-D. A value: equal samples
 * (or equal seeds) are equal.
 */
public final class FractionalSamples {
    private final int n;
    private final int c;
    private final int perPlane; // 2 or 3; 0 when seeded
    private final float[] data; // null when seeded
    private final long seed;

    private FractionalSamples(int n, int c, int perPlane, float[] data, long seed) {
        this.n = n;
        this.c = c;
        this.perPlane = perPlane;
        this.data = data;
        this.seed = seed;
    }

    /**
     * Samples given by the caller: {@code data} holds n×c×2 floats in (n, c, axis) order, each in
     * [0, 1) (PyTorch does not check the range; clpool does, since a sample outside it can place a
     * window outside the input).
     */
    public static FractionalSamples of(int n, int c, float[] data) {
        return of(n, c, 2, data);
    }

    /**
     * Samples given by the caller, {@code perPlane} (2 for 2-D, 3 for 3-D) per plane:
     * {@code data} holds n×c×perPlane floats in (n, c, axis) order, each in [0, 1).
     */
    public static FractionalSamples of(int n, int c, int perPlane, float[] data) {
        Checks.requireNonNull(data, "samples");
        Checks.requirePositivePair("fractional samples' batch and channels", "N", n, "C", c);
        if (perPlane != 2 && perPlane != 3) {
            throw Checks.invalid("fractional samples per plane (size(2))", "2 (2-D) or 3 (3-D)", "" + perPlane);
        }
        long expected = (long) perPlane * n * c;
        if (data.length != expected) {
            throw Checks.invalid("fractional samples", n + "x" + c + "x" + perPlane + " = " + expected + " floats",
                    data.length + " floats");
        }
        for (int i = 0; i < data.length; i++) {
            float s = data[i];
            if (!(s >= 0f && s < 1f)) {
                throw Checks.invalid("fractional sample", "in [0, 1)", "sample[" + i / perPlane / c + "]["
                        + i / perPlane % c + "][" + i % perPlane + "]: " + s);
            }
        }
        return new FractionalSamples(n, c, perPlane, data.clone(), 0L);
    }

    /** Samples drawn from {@code seed} for whatever input they meet. */
    public static FractionalSamples seeded(long seed) {
        return new FractionalSamples(0, 0, 0, null, seed);
    }

    public boolean isSeeded() {
        return data == null;
    }

    /** The seed; meaningful only when {@link #isSeeded()}. */
    public long seed() {
        return seed;
    }

    /** The given samples' batch size (0 when seeded). */
    public int n() {
        return n;
    }

    /** The given samples' channels (0 when seeded). */
    public int c() {
        return c;
    }

    /** The given samples per plane, 2 or 3 (0 when seeded). */
    public int perPlane() {
        return perPlane;
    }

    /** {@link #forInput(int, int, int)} with 2 samples per plane (2-D). */
    public float[] forInput(int inputN, int inputC) {
        return forInput(inputN, inputC, 2);
    }

    /**
     * The samples for an input of {@code inputN} samples of {@code inputC} channels with
     * {@code perPlane} samples per plane (2 in 2-D, 3 in 3-D): inputN×inputC×perPlane floats.
     * Given samples must have as many per plane, C equal to the input's and N at least the input's
     * (PyTorch's check; rows past the input's N are not used); seeded ones are drawn now.
     */
    public float[] forInput(int inputN, int inputC, int perPlane) {
        if (data == null) {
            long count = (long) perPlane * inputN * inputC;
            if (count > Integer.MAX_VALUE - 8) {
                throw Checks.invalid("the number of fractional samples", "at most " + (Integer.MAX_VALUE - 8),
                        "N x C x " + perPlane + " = " + count);
            }
            Random random = new Random(seed);
            float[] drawn = new float[(int) count];
            for (int i = 0; i < drawn.length; i++) {
                drawn[i] = random.nextFloat();
            }
            return drawn;
        }
        if (this.perPlane != perPlane) {
            throw Checks.invalid("fractional samples per plane (size(2))", perPlane + " for a " + perPlane + "-D pooling",
                    "" + this.perPlane);
        }
        if (c != inputC) {
            throw Checks.invalid("fractional samples' channels (size(1))", "the input's " + inputC, "C: " + c);
        }
        if (n < inputN) {
            throw Checks.invalid("fractional samples' batch (size(0))", "at least the input's " + inputN, "N: " + n);
        }
        return Arrays.copyOf(data, perPlane * inputN * inputC);
    }

    /** {@link #rows(int, int, int, int, int)} with 2 samples per plane. */
    public FractionalSamples rows(int inputN, int inputC, int from, int to) {
        return rows(inputN, inputC, 2, from, to);
    }

    /** The samples of input rows [from, to) of an input with {@code inputN}×{@code inputC}, as given samples. */
    public FractionalSamples rows(int inputN, int inputC, int perPlane, int from, int to) {
        float[] all = forInput(inputN, inputC, perPlane);
        return new FractionalSamples(to - from, inputC, perPlane,
                Arrays.copyOfRange(all, perPlane * from * inputC, perPlane * to * inputC), 0L);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FractionalSamples s && n == s.n && c == s.c && perPlane == s.perPlane && seed == s.seed && Arrays.equals(data, s.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (31 * n + c) + perPlane) + Long.hashCode(seed)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return data == null ? "seed=" + seed : "samples=" + n + "x" + c + "x" + perPlane;
    }
}
