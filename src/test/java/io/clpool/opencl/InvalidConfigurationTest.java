package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.Pooling;
import io.clpool.Pooling1d;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Inputs;
import io.clpool.support.TestDevices;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * Per-op tables of invalid configurations, each row with its reason and the exact message, run on
 * both backends. The OpenCL backend runs on a context that is already closed: any upload,
 * allocation or kernel build would fail with "OpenCL context used after close" instead of the
 * expected message, so a passing row proves the check runs before any device work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvalidConfigurationTest {
    private static final Shape IN = Shape.of(1, 3, 4, 4);
    private static final Tensor X = Inputs.NORMAL.tensor(IN, 1);
    private static final Shape POOLED = IN.withSpatial(2, 2);
    private static final Tensor DY = Inputs.gradient(POOLED, 2);
    private static final Shape IN_1D = Pooling1d.shape(1, 3, 8);
    private static final Tensor X_1D = Inputs.NORMAL.tensor(IN_1D, 3);

    /** One invalid call: why it is invalid, the call, and the message it must fail with. */
    record Row(String reason, Consumer<Pooling> call, String message) {}

    private List<Pooling> backends;
    private ClContext closedContext;

    @BeforeAll
    void open() {
        closedContext = TestDevices.openContext();
        closedContext.close();
        backends = List.of(new ReferencePooling(), new OpenClPooling(closedContext, Algorithm.IM2COL));
    }

    @AfterAll
    void close() {
        if (backends != null) {
            ((OpenClPooling) backends.get(1)).close();
        }
    }

    @TestFactory
    Stream<DynamicTest> averagePooling() {
        return table("avg", List.of(
                new Row("padding more than half the kernel",
                        p -> Calls.avgPool2d(p, X, PoolSpec.of(3).withPadding(2), AvgOptions.DEFAULT),
                        "pad should be at most half of kernel size, but got padH=2, kernelH=3"),
                new Row("padding more than half the kernel along W only",
                        p -> Calls.avgPool2d(p, X, PoolSpec.of(3, 2).withPadding(1, 2), AvgOptions.DEFAULT),
                        "pad should be at most half of kernel size, but got padW=2, kernelW=2"),
                new Row("dilation: avg_pool2d has none",
                        p -> Calls.avgPool2d(p, X, PoolSpec.of(2).withDilation(2), AvgOptions.DEFAULT),
                        "average pooling dilation should be 1, but got dilationH: 2, dilationW: 2"),
                new Row("kernel larger than the input",
                        p -> Calls.avgPool2d(p, X, PoolSpec.of(5), AvgOptions.DEFAULT),
                        "Given input size (3x4x4), calculated output size (3x0x0) is too small"),
                new Row("zero stride",
                        p -> Calls.avgPool2d(p, X, PoolSpec.of(2).withStride(0), AvgOptions.DEFAULT),
                        "stride should be greater than zero, but got strideH: 0, strideW: 0"),
                new Row("negative divisor override",
                        p -> Calls.avgPool2d(p, X, PoolSpec.of(2), new AvgOptions(true, -1)),
                        "divisor_override should be positive (or 0 for none), but got divisor: -1"),
                new Row("no options",
                        p -> Calls.avgPool2d(p, X, PoolSpec.of(2), null),
                        "options should not be null"),
                new Row("backward gradient not of the pooled shape",
                        p -> Calls.avgPool2dBackward(p, X, IN, PoolSpec.of(2), AvgOptions.DEFAULT),
                        "gradOutput shape should be 1x3x2x2, but got 1x3x4x4")));
    }

    @TestFactory
    Stream<DynamicTest> lpPooling() {
        Tensor y = new ReferencePooling().lpPool2d(X, PoolSpec.of(2), 2);
        return table("lp", List.of(
                new Row("padding: lp_pool2d takes none",
                        p -> Calls.lpPool2d(p, X, PoolSpec.of(2).withPadding(1), 2),
                        "LP pooling padding should be 0 (lp_pool2d takes no padding), but got padH: 1, padW: 1"),
                new Row("dilation: lp_pool2d has none",
                        p -> Calls.lpPool2d(p, X, PoolSpec.of(2).withDilation(1, 2), 2),
                        "LP pooling dilation should be 1, but got dilationH: 1, dilationW: 2"),
                new Row("norm zero: the root 1/p is undefined",
                        p -> Calls.lpPool2d(p, X, PoolSpec.of(2), 0),
                        "LP pooling norm should be positive and finite, but got norm: 0.0"),
                new Row("negative norm",
                        p -> Calls.lpPool2d(p, X, PoolSpec.of(2), -2),
                        "LP pooling norm should be positive and finite, but got norm: -2.0"),
                new Row("NaN norm",
                        p -> Calls.lpPool2d(p, X, PoolSpec.of(2), Double.NaN),
                        "LP pooling norm should be positive and finite, but got norm: NaN"),
                new Row("infinite norm: x^inf overflows, use max pooling",
                        p -> Calls.lpPool2d(p, X, PoolSpec.of(2), Double.POSITIVE_INFINITY),
                        "LP pooling norm should be positive and finite, but got norm: Infinity"),
                new Row("backward with padding",
                        p -> Calls.lpPool2dBackward(p, DY, X, y, PoolSpec.of(2).withPadding(1), 2),
                        "LP pooling padding should be 0 (lp_pool2d takes no padding), but got padH: 1, padW: 1"),
                new Row("backward gradient not of the pooled shape",
                        p -> Calls.lpPool2dBackward(p, X, X, y, PoolSpec.of(2), 2),
                        "gradOutput shape should be 1x3x2x2, but got 1x3x4x4"),
                new Row("backward forward output not of the pooled shape",
                        p -> Calls.lpPool2dBackward(p, DY, X, X, PoolSpec.of(2), 2),
                        "output shape should be 1x3x2x2, but got 1x3x4x4")));
    }

    @TestFactory
    Stream<DynamicTest> adaptivePooling() {
        Shape twoBatches = Shape.of(2, 3, 2, 2);
        return table("adaptive", List.of(
                new Row("output height 0",
                        p -> Calls.adaptiveMaxPool2d(p, X, 0, 3),
                        "adaptive output size should be greater than zero, but got outputH: 0, outputW: 3"),
                new Row("negative output width",
                        p -> Calls.adaptiveAvgPool2d(p, X, 2, -1),
                        "adaptive output size should be greater than zero, but got outputH: 2, outputW: -1"),
                new Row("max backward index inside the plane but outside its window",
                        p -> Calls.adaptiveMaxPool2dBackward(p, DY, windowCorners(POOLED, 0, 15), IN),
                        "index should be inside its adaptive pooling window for an input plane of 4x4,"
                                + " but got index: 15 at output (n=0, c=0, h=0, w=0)"),
                new Row("max backward index past the end of the plane",
                        p -> Calls.adaptiveMaxPool2dBackward(p, DY, windowCorners(POOLED, 5, 16), IN),
                        "index should be in [0, 16) for an input plane of 4x4, but got index: 16 at output (n=0, c=1, h=0, w=1)"),
                new Row("max backward gradient of another batch size",
                        p -> Calls.adaptiveMaxPool2dBackward(p, Inputs.gradient(twoBatches, 3), windowCorners(twoBatches, 0, 0), IN),
                        "gradOutput shape should be 1x3x2x2, but got 2x3x2x2"),
                new Row("average backward gradient of another batch size",
                        p -> Calls.adaptiveAvgPool2dBackward(p, Inputs.gradient(twoBatches, 3), IN),
                        "gradOutput shape should be 1x3x2x2, but got 2x3x2x2")));
    }

    @TestFactory
    Stream<DynamicTest> maxUnpooling() {
        Shape out = IN;
        return table("unpool", List.of(
                new Row("index past the end of the output plane",
                        p -> Calls.maxUnpool2d(p, DY, windowCorners(POOLED, 1, 16), out),
                        "index should be in [0, 16) for an unpooled plane of 4x4, but got index: 16 at value (n=0, c=0, h=0, w=1)"),
                new Row("negative index",
                        p -> Calls.maxUnpool2d(p, DY, windowCorners(POOLED, 11, -1), out),
                        "index should be in [0, 16) for an unpooled plane of 4x4, but got index: -1 at value (n=0, c=2, h=1, w=1)"),
                new Row("output shape of another batch size",
                        p -> Calls.maxUnpool2d(p, DY, windowCorners(POOLED, 0, 0), Shape.of(2, 3, 4, 4)),
                        "the unpooling output batch and channels should be 1x3 as the input's, but got outputShape: 2x3x4x4"),
                new Row("indices not of the values' shape",
                        p -> Calls.maxUnpool2d(p, DY, new IndexTensor(Shape.of(1, 3, 2, 3), new int[18]), out),
                        "indices shape should be 1x3x2x2, but got 1x3x2x3"),
                new Row("default output size of a spec whose padding eats the kernel",
                        p -> Calls.maxUnpool2d(p, DY, windowCorners(POOLED, 0, 0), PoolSpec.of(1, 2).withPadding(0, 1)
                                .withStride(1).unpoolOutputShape(Shape.of(1, 3, 2, 1))),
                        "the unpooled size should be positive, but got (2x0) from pooled 1x3x2x1 and kernel=1x2 stride=1x1"
                                + " padding=0x1 dilation=1x1"),
                new Row("backward index past the end of the gradient's plane",
                        p -> Calls.maxUnpool2dBackward(p, X, windowCorners(POOLED, 1, 16)),
                        "index should be in [0, 16) for an unpooled plane of 4x4, but got index: 16 at value (n=0, c=0, h=0, w=1)"),
                new Row("backward gradient of another batch size",
                        p -> Calls.maxUnpool2dBackward(p, Inputs.gradient(Shape.of(2, 3, 4, 4), 4), windowCorners(POOLED, 0, 0)),
                        // the op's composed backward check: the gradient must have the unpooled shape of the values
                        "gradOutput shape should be 1x3x4x4, but got 2x3x4x4")));
    }

    @TestFactory
    Stream<DynamicTest> maxAndMinPooling() {
        return table("max/min", List.of(
                new Row("max backward index inside the plane but outside its window",
                        p -> Calls.maxPool2dBackward(p, DY, windowCorners(POOLED, 0, 15), IN, PoolSpec.of(2)),
                        "index should be inside its pooling window for an input plane of 4x4,"
                                + " but got index: 15 at output (n=0, c=0, h=0, w=0)"),
                new Row("min with a kernel larger than the padded input",
                        p -> Calls.minPool2d(p, X, PoolSpec.of(7).withPadding(1)),
                        "Given input size (3x4x4), calculated output size (3x0x0) is too small")));
    }

    @TestFactory
    Stream<DynamicTest> oneDimensionalPooling() {
        return table("1-D", List.of(
                new Row("a 2-D input (H is not 1)",
                        p -> new Pooling1d(p).maxPool1d(X, Pooling1d.Window.of(2)),
                        "the input of a 1-D pooling should be N×C×1×L (H = 1), but got shape: 1x3x4x4"),
                new Row("padding more than half the kernel",
                        p -> new Pooling1d(p).avgPool1d(X_1D, Pooling1d.Window.of(3).withPadding(2), AvgOptions.DEFAULT),
                        "pad should be at most half of kernel size, but got padW=2, kernelW=3"),
                new Row("LP with padding",
                        p -> new Pooling1d(p).lpPool1d(X_1D, Pooling1d.Window.of(2).withPadding(1), 2),
                        "LP pooling padding should be 0 (lp_pool2d takes no padding), but got padH: 0, padW: 1"),
                new Row("kernel longer than the input",
                        p -> new Pooling1d(p).minPool1d(X_1D, Pooling1d.Window.of(9)),
                        "Given input size (3x1x8), calculated output size (3x1x0) is too small"),
                new Row("backward input shape with H not 1",
                        p -> new Pooling1d(p).avgPool1dBackward(X_1D, Tensor.zeros(Shape.of(1, 3, 2, 8)), Pooling1d.Window.of(2),
                                AvgOptions.DEFAULT),
                        "the input of a 1-D pooling should be N×C×1×L (H = 1), but got shape: 1x3x2x8")));
    }

    private Stream<DynamicTest> table(String op, List<Row> rows) {
        return rows.stream().flatMap(row -> backends.stream().map(backend ->
                dynamicTest(op + ": " + row.reason() + " [" + backend.getClass().getSimpleName() + "]", () -> {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> row.call().accept(backend));
                    assertEquals(row.message(), e.getMessage());
                })));
    }

    /**
     * Indices of a 2×2 pooling of 4×4 planes, each at its window's top-left corner, except
     * {@code bad} at position {@code at}.
     */
    private static IndexTensor windowCorners(Shape pooled, int at, int bad) {
        int[] idx = new int[pooled.elementCountAsInt()];
        for (int i = 0; i < idx.length; i++) {
            int oh = (i % 4) / 2;
            int ow = i % 2;
            idx[i] = 2 * oh * 4 + 2 * ow;
        }
        idx[at] = bad;
        return new IndexTensor(pooled, idx);
    }
}
