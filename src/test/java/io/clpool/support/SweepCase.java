package io.clpool.support;

import io.clpool.Tensor;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.ArrayList;
import java.util.List;

/** One differential case: a shape, a legal spec for it, and an input flavour with a fixed seed. */
public record SweepCase(Shape shape, PoolSpec spec, Inputs flavour, long seed) {

    public Tensor input() {
        return flavour.tensor(shape, seed);
    }

    @Override
    public String toString() {
        return shape + " " + spec + " " + flavour + " seed=" + seed;
    }

    /**
     * The fixed-window sweep: kernel {1, 2, 3, 2×3, 5} × stride {default, 1, 2, 3} × padding
     * {0, 1, 2 where legal} × dilation {1, 2} × ceil mode, over shapes 1×1×1×1, 1×1×28×28,
     * 2×3×7×93 and 3×5×17×4; combinations whose output would be empty are left out. Flavours
     * cycle so that every flavour meets every kernel.
     */
    public static List<SweepCase> fixedWindowSweep(boolean withDilation) {
        int[][] kernels = {{1, 1}, {2, 2}, {3, 3}, {2, 3}, {5, 5}};
        int[] strides = {0, 1, 2, 3};
        int[] paddings = {0, 1, 2};
        int[] dilations = withDilation ? new int[] {1, 2} : new int[] {1};
        Shape[] shapes = {Shape.of(1, 1, 1, 1), Shape.of(1, 1, 28, 28), Shape.of(2, 3, 7, 93), Shape.of(3, 5, 17, 4)};
        Inputs[] flavours = Inputs.values();
        List<SweepCase> cases = new ArrayList<>();
        long seed = 20261125;
        for (int[] k : kernels) {
            for (int s : strides) {
                for (int p : paddings) {
                    if (p > k[0] / 2 || p > k[1] / 2) {
                        continue;
                    }
                    for (int d : dilations) {
                        for (boolean ceil : new boolean[] {false, true}) {
                            PoolSpec spec = PoolSpec.of(k[0], k[1]).withPadding(p).withDilation(d).withCeilMode(ceil);
                            if (s != 0) {
                                spec = spec.withStride(s);
                            }
                            for (Shape shape : shapes) {
                                if (!fits(spec, shape)) {
                                    continue;
                                }
                                seed++;
                                cases.add(new SweepCase(shape, spec, flavours[(int) (seed % flavours.length)], seed));
                            }
                        }
                    }
                }
            }
        }
        return cases;
    }

    private static boolean fits(PoolSpec spec, Shape shape) {
        try {
            spec.outputShape(shape);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
