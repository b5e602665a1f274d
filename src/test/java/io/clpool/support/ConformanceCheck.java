package io.clpool.support;

import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.reference.TermMagnitudes;

/**
 * Runs one conformance case on a backend and compares with PyTorch's numbers: selections and
 * indices bit for bit, sums within {@link io.clpool.Tolerance} scaled by their terms' magnitudes.
 */
public final class ConformanceCheck {
    private ConformanceCheck() {}

    public static void run(Pooling backend, ConformanceCase c) {
        PoolOp op = c.poolOp();
        Tensor x = c.x();
        PoolResult r = backend.forward(op, x);
        float[] magnitudes = TermMagnitudes.forward(op, x);
        if (magnitudes == null) {
            Compare.bitEqual(c.y().data(), r.values().data(), c + " values");
        } else {
            Compare.close(c.y().data(), r.values().data(), magnitudes, c + " values");
        }
        IndexTensor indices = null;
        if (op.hasIndices()) {
            Compare.bitEqual(c.idx().data(), r.indices().data(), c + " indices");
            indices = c.idx(); // the backward replays PyTorch's indices
        }
        Tensor gx = backend.backward(op, c.gy(), x, r.values(), indices);
        Compare.close(c.gx().data(), gx.data(), TermMagnitudes.backward(op, c.gy(), x, r.values(), indices), c + " gradient");
    }
}
