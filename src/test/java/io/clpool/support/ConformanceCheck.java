package io.clpool.support;

import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;

/** Runs one conformance case on a backend and compares with PyTorch's numbers. */
public final class ConformanceCheck {
    private ConformanceCheck() {}

    public static void run(Pooling backend, ConformanceCase c) {
        Tensor x = c.x();
        switch (c.op()) {
            case "max", "min" -> {
                boolean min = c.op().equals("min");
                PoolResult r = min ? Calls.minPool2d(backend, x, c.spec()) : Calls.maxPool2d(backend, x, c.spec());
                Compare.bitEqual(c.y().data(), r.values().data(), c + " values");
                Compare.bitEqual(c.idx().data(), r.indices().data(), c + " indices");
                Tensor gx = min ? Calls.minPool2dBackward(backend, c.gy(), c.idx(), x.shape(), c.spec())
                        : Calls.maxPool2dBackward(backend, c.gy(), c.idx(), x.shape(), c.spec());
                Compare.close(c.gx().data(), gx.data(), c + " gradient");
            }
            case "avg" -> {
                Compare.close(c.y().data(), Calls.avgPool2d(backend, x, c.spec(), c.avgOptions()).data(), c + " values");
                Compare.close(c.gx().data(), Calls.avgPool2dBackward(backend, c.gy(), x.shape(), c.spec(), c.avgOptions()).data(),
                        c + " gradient");
            }
            case "lp" -> {
                Tensor y = Calls.lpPool2d(backend, x, c.spec(), c.norm());
                Compare.close(c.y().data(), y.data(), c + " values");
                Compare.close(c.gx().data(), Calls.lpPool2dBackward(backend, c.gy(), x, y, c.spec(), c.norm()).data(), c + " gradient");
            }
            case "adaptive-max" -> {
                int[] size = c.outputSize();
                PoolResult r = Calls.adaptiveMaxPool2d(backend, x, size[0], size[1]);
                Compare.bitEqual(c.y().data(), r.values().data(), c + " values");
                Compare.bitEqual(c.idx().data(), r.indices().data(), c + " indices");
                Compare.close(c.gx().data(), Calls.adaptiveMaxPool2dBackward(backend, c.gy(), c.idx(), x.shape()).data(),
                        c + " gradient");
            }
            case "adaptive-avg" -> {
                int[] size = c.outputSize();
                Compare.close(c.y().data(), Calls.adaptiveAvgPool2d(backend, x, size[0], size[1]).data(), c + " values");
                Compare.close(c.gx().data(), Calls.adaptiveAvgPool2dBackward(backend, c.gy(), x.shape()).data(), c + " gradient");
            }
            default -> throw new IllegalStateException(c + ": unknown op " + c.op());
        }
    }
}
