package io.clpool.spec;

import java.util.Arrays;
import java.util.Random;

/**
 * The per-plane random samples that place fractional max pooling's windows: PyTorch's
 * {@code _random_samples}, float32 of shape (N, C, 2), each in [0, 1); sample 0 of a plane places
 * its columns (W), sample 1 its rows (H), as in PyTorch. Either given by the caller (with their N
 * and C), or drawn from a seed when an input's N and C are known: {@code new Random(seed)}, one
 * {@link Random#nextFloat()} per sample in (n, c, axis) order. A value: equal samples (or equal
 * seeds) are equal.
 */
public final class FractionalSamples {
    private final int n;
    private final int c;
    private final float[] data; // null when seeded
    private final long seed;

    private FractionalSamples(int n, int c, float[] data, long seed) {
        this.n = n;
        this.c = c;
        this.data = data;
        this.seed = seed;
    }

    /**
     * Samples given by the caller: {@code data} holds n×c×2 floats in (n, c, axis) order, each in
     * [0, 1) (PyTorch does not check the range; clpool does, since a sample outside it can place a
     * window outside the input).
     */
    public static FractionalSamples of(int n, int c, float[] data) {
        Checks.requireNonNull(data, "samples");
        Checks.requirePositivePair("fractional samples' batch and channels", "N", n, "C", c);
        long expected = 2L * n * c;
        if (data.length != expected) {
            throw Checks.invalid("fractional samples", n + "x" + c + "x2 = " + expected + " floats",
                    data.length + " floats");
        }
        for (int i = 0; i < data.length; i++) {
            float s = data[i];
            if (!(s >= 0f && s < 1f)) {
                throw Checks.invalid("fractional sample", "in [0, 1)", "sample[" + i / 2 / c + "][" + i / 2 % c + "]["
                        + i % 2 + "]: " + s);
            }
        }
        return new FractionalSamples(n, c, data.clone(), 0L);
    }

    /** Samples drawn from {@code seed} for whatever input they meet. */
    public static FractionalSamples seeded(long seed) {
        return new FractionalSamples(0, 0, null, seed);
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

    /**
     * The samples for an input of {@code inputN} samples of {@code inputC} channels: inputN×inputC×2
     * floats. Given samples must have C equal to the input's and N at least the input's (PyTorch's
     * check; rows past the input's N are not used); seeded ones are drawn now.
     */
    public float[] forInput(int inputN, int inputC) {
        if (data == null) {
            long count = 2L * inputN * inputC;
            if (count > Integer.MAX_VALUE - 8) {
                throw Checks.invalid("the number of fractional samples", "at most " + (Integer.MAX_VALUE - 8),
                        "N x C x 2 = " + count);
            }
            Random random = new Random(seed);
            float[] drawn = new float[(int) count];
            for (int i = 0; i < drawn.length; i++) {
                drawn[i] = random.nextFloat();
            }
            return drawn;
        }
        if (c != inputC) {
            throw Checks.invalid("fractional samples' channels (size(1))", "the input's " + inputC, "C: " + c);
        }
        if (n < inputN) {
            throw Checks.invalid("fractional samples' batch (size(0))", "at least the input's " + inputN, "N: " + n);
        }
        return Arrays.copyOf(data, 2 * inputN * inputC);
    }

    /** The samples of input rows [from, to) of an input with {@code inputN}×{@code inputC}, as given samples. */
    public FractionalSamples rows(int inputN, int inputC, int from, int to) {
        float[] all = forInput(inputN, inputC);
        return new FractionalSamples(to - from, inputC, Arrays.copyOfRange(all, 2 * from * inputC, 2 * to * inputC), 0L);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FractionalSamples s && n == s.n && c == s.c && seed == s.seed && Arrays.equals(data, s.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * n + c) + Long.hashCode(seed)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return data == null ? "seed=" + seed : "samples=" + n + "x" + c + "x2";
    }
}
