package io.clpool.support;

import static org.junit.jupiter.api.Assertions.fail;

import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.reference.TermMagnitudes;
import io.clpool.spec.DType;

/**
 * Runs one conformance case on a backend and compares with PyTorch's numbers: selections and
 * indices bit for bit, sums within {@link io.clpool.Tolerance} for the case's dtype, scaled by
 * their terms' magnitudes. Results must have the case's shapes, layout included, and dtype.
 */
public final class ConformanceCheck {
    private ConformanceCheck() {}

    public static void run(Pooling backend, ConformanceCase c) {
        PoolOp op = c.poolOp();
        Tensor x = c.x();
        DType type = c.dtype();
        PoolResult r = backend.forward(op, x);
        Tensor y = c.y();
        sameForm(y, r.values(), c + " values");
        float[] magnitudes = TermMagnitudes.forward(op, x);
        if (magnitudes == null) {
            Compare.bitEqual(y.data(), r.values().data(), c + " values");
        } else {
            Compare.close(y.data(), r.values().data(), magnitudes, c + " values", type);
        }
        IndexTensor indices = null;
        if (op.hasIndices()) {
            IndexTensor expected = c.idx();
            if (!expected.shape().equals(r.indices().shape())) {
                fail(c + " indices: shape " + r.indices().shape() + ", expected " + expected.shape());
            }
            Compare.bitEqual(expected.data(), r.indices().data(), c + " indices");
            indices = expected; // the backward replays PyTorch's indices
        }
        Tensor gy = c.gy();
        Tensor gx = backend.backward(op, gy, x, r.values(), indices);
        Tensor expectedGx = c.gx();
        sameForm(expectedGx, gx, c + " gradient");
        Compare.close(expectedGx.data(), gx.data(), TermMagnitudes.backward(op, gy, x, r.values(), indices), c + " gradient", type);
    }

    /** The same shape (layout included) and dtype. */
    static void sameForm(Tensor expected, Tensor actual, String what) {
        if (!expected.shape().equals(actual.shape()) || expected.dtype() != actual.dtype()) {
            fail(what + ": " + actual.dtype().label() + " " + actual.shape() + ", expected " + expected.dtype().label() + " "
                    + expected.shape());
        }
    }
}
