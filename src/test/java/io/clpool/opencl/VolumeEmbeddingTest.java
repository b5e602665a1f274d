package io.clpool.opencl;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.DeviceTest;
import io.clpool.support.Inputs;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * 3-D pooling on the device against 2-D pooling on the device, with no reference in between: a
 * 3-D op whose window is trivial along one axis is a 2-D op over the other two, so each axis's
 * arithmetic is checked against kernels that are already checked against PyTorch. Two
 * embeddings, each bit for bit (values, indices and gradients: the summation orders coincide):
 * <ul>
 * <li>depth 1: N×C×1×H×W with a (1, kh, kw) window is N×C×H×W with (kh, kw): checks H and W;</li>
 * <li>height 1: N×C×D×1×W with a (kd, 1, kw) window is N×C×D×W with (kd, kw): checks D, whose
 *     in-plane offset d·1·W + w is the 2-D offset d·W + w.</li>
 * </ul>
 */
class VolumeEmbeddingTest extends DeviceTest {
    private static final Shape[] PLANES = {Shape.of(1, 1, 1, 1), Shape.of(2, 3, 7, 9), Shape.of(1, 2, 13, 5), Shape.of(1, 1, 4, 93)};
    /** 2-D windows: kernel, stride, padding, dilation, ceil (all legal on every plane above that fits them). */
    private static final PoolSpec[] WINDOWS = {
        PoolSpec.of(1),
        PoolSpec.of(2),
        PoolSpec.of(3).withStride(1).withPadding(1),
        PoolSpec.of(3, 2).withStride(2, 1).withPadding(1, 0).withCeilMode(true),
        PoolSpec.of(2, 3).withStride(4, 5),
        PoolSpec.of(3).withStride(2).withPadding(1).withDilation(2, 1),
    };
    private static final List<String> OPS = List.of("max", "min", "avg", "avg-exclude", "avg-divisor", "adaptive-max", "adaptive-avg", "unpool");

    record Case(String op, Shape plane, PoolSpec window, boolean depthAxis, Inputs flavour, long seed) {
        @Override
        public String toString() {
            return op + " " + plane + " " + window + (depthAxis ? " along D,W" : " along H,W") + " " + flavour + " seed=" + seed;
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        long seed = 9100;
        for (String op : OPS) {
            for (Shape plane : PLANES) {
                for (PoolSpec window : WINDOWS) {
                    if (!fits(window, plane, op)) {
                        continue;
                    }
                    for (boolean depthAxis : new boolean[] {false, true}) {
                        Inputs flavour = Inputs.values()[(int) (seed % Inputs.values().length)];
                        cases.add(new Case(op, plane, window, depthAxis, flavour, seed++));
                    }
                }
            }
        }
        return cases;
    }

    private static boolean fits(PoolSpec window, Shape plane, String op) {
        if (op.startsWith("avg") && window.hasDilation()) {
            return false;
        }
        try {
            window.outputShape(plane);
            return true;
        } catch (IllegalArgumentException tooSmall) {
            return false;
        }
    }

    @TestFactory
    Stream<DynamicTest> volumeKernelsEmbedThePlaneKernels() {
        return cases().stream().map(c -> dynamicTest(c.toString(), () -> check(c)));
    }

    private void check(Case c) {
        Tensor flat = c.flavour().tensor(c.plane(), c.seed());
        Shape p = c.plane();
        // The same floats in a 5-D shape: (n, c, 1, h, w) or (n, c, h, 1, w) hold them in the same order.
        Shape volumeShape = c.depthAxis() ? Shape.of(p.n(), p.c(), p.h(), 1, p.w()) : Shape.of(p.n(), p.c(), 1, p.h(), p.w());
        Tensor volume = new Tensor(volumeShape, flat.data());
        if (c.op().equals("unpool")) {
            checkUnpool(flat, volume, c);
            return;
        }
        PoolOp planar = op(c.op(), c.window(), flat.shape());
        PoolOp volumetric = op(c.op(), embed(c.window(), c.depthAxis()), volumeShape);
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            PoolResult expected = device.forward(planar, flat);
            PoolResult actual = device.forward(volumetric, volume);
            Compare.bitEqual(expected.values().data(), actual.values().data(), "values");
            if (planar.hasIndices()) {
                Compare.bitEqual(expected.indices().data(), actual.indices().data(), "indices");
            }
            Tensor gradFlat = Inputs.gradient(expected.values().shape(), c.seed() + 1);
            Tensor gradVolume = new Tensor(actual.values().shape(), gradFlat.data());
            IndexTensor flatIndices = expected.indices();
            IndexTensor volumeIndices = flatIndices == null ? null : new IndexTensor(actual.values().shape(), flatIndices.data());
            Tensor expectedGrad = device.backward(planar, gradFlat, flat, expected.values(), flatIndices);
            Tensor actualGrad = device.backward(volumetric, gradVolume, volume, actual.values(), volumeIndices);
            Compare.bitEqual(expectedGrad.data(), actualGrad.data(), "gradient");
        }
    }

    /** Unpooling the max pooling of {@code flat} (2-D) and of {@code volume} (3-D), and their backward. */
    private void checkUnpool(Tensor flat, Tensor volume, Case c) {
        PoolSpec spec3d = embed(c.window(), c.depthAxis());
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.DIRECT)) {
            PoolResult pooledFlat = device.forward(PoolOp.max(c.window()), flat);
            PoolResult pooledVolume = device.forward(PoolOp.max(spec3d), volume);
            // Back to the input's size: PyTorch's default size is smaller when windows skip inputs.
            PoolOp planar = PoolOp.maxUnpool(flat.shape().h(), flat.shape().w());
            Shape v = volume.shape();
            PoolOp volumetric = PoolOp.maxUnpool3d(v.d(), v.h(), v.w());
            Tensor expected = device.forward(planar, pooledFlat.values(), pooledFlat.indices()).values();
            Tensor actual = device.forward(volumetric, pooledVolume.values(), pooledVolume.indices()).values();
            Compare.bitEqual(expected.data(), actual.data(), "unpooled values");
            Tensor gradFlat = Inputs.gradient(expected.shape(), c.seed() + 1);
            Tensor gradVolume = new Tensor(actual.shape(), gradFlat.data());
            Compare.bitEqual(device.backward(planar, gradFlat, pooledFlat.values(), expected, pooledFlat.indices()).data(),
                    device.backward(volumetric, gradVolume, pooledVolume.values(), actual, pooledVolume.indices()).data(), "unpooling gradient");
        }
    }

    /** The 3-D window that is {@code w} over (H, W), or over (D, W) with a trivial H axis. */
    private static PoolSpec embed(PoolSpec w, boolean depthAxis) {
        return depthAxis
                ? new PoolSpec(w.kernelH(), 1, w.kernelW(), w.strideH(), 1, w.strideW(), w.padH(), 0, w.padW(),
                        w.dilationH(), 1, w.dilationW(), w.ceilMode(), 3)
                : new PoolSpec(1, w.kernelH(), w.kernelW(), 1, w.strideH(), w.strideW(), 0, w.padH(), w.padW(),
                        1, w.dilationH(), w.dilationW(), w.ceilMode(), 3);
    }

    private static PoolOp op(String name, PoolSpec spec, Shape input) {
        return switch (name) {
            case "max" -> PoolOp.max(spec);
            case "min" -> PoolOp.min(spec);
            case "avg" -> PoolOp.avg(spec);
            case "avg-exclude" -> PoolOp.avg(spec, new AvgOptions(false, 0));
            case "avg-divisor" -> PoolOp.avg(spec, new AvgOptions(true, 7));
            case "adaptive-max", "adaptive-avg" -> {
                Shape out = spec.outputShape(input);
                boolean max = name.equals("adaptive-max");
                if (!input.volumetric()) {
                    yield max ? PoolOp.adaptiveMax(out.h(), out.w()) : PoolOp.adaptiveAvg(out.h(), out.w());
                }
                yield max ? PoolOp.adaptiveMax3d(out.d(), out.h(), out.w()) : PoolOp.adaptiveAvg3d(out.d(), out.h(), out.w());
            }
            default -> throw new IllegalArgumentException(name);
        };
    }
}
