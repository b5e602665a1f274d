package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.Pooling;
import io.clpool.Pooling1d;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.FractionalSamples;
import io.clpool.spec.Layout;
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
    private static final Shape IN_3D = Shape.of(1, 3, 4, 4, 4);
    private static final Tensor X_3D = Inputs.NORMAL.tensor(IN_3D, 5);
    private static final Shape POOLED_3D = Shape.of(1, 3, 2, 2, 2);
    private static final Tensor DY_3D = Inputs.gradient(POOLED_3D, 6);
    /** A 5-D shape whose D·H·W plane is past int32 offsets: 2048·1024·1025 = 2^31 + 2^21 elements. */
    private static final Shape HUGE_PLANE_3D = Shape.of(1, 1, 2048, 1024, 1025);
    private static final String HUGE_PLANE_MESSAGE = "plane should be at most 2147483647 elements (indices are int32 offsets inside a "
            + "plane), but got ";
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

    @TestFactory
    Stream<DynamicTest> volumetricPooling() {
        return table("3-D", List.of(
                new Row("a 2-D window on a 5-D input",
                        p -> p.forward(PoolOp.max(PoolSpec.of(2)), X_3D),
                        "the input of a 2-D pooling should be 4-D (N, C, H, W), but got 5-D 1x3x4x4x4"),
                new Row("a 3-D window on a 4-D input",
                        p -> p.forward(PoolOp.avg(PoolSpec.of3d(2)), X),
                        "the input of a 3-D pooling should be 5-D (N, C, D, H, W), but got 4-D 1x3x4x4"),
                new Row("a 3-D min backward on a 4-D input",
                        p -> p.backward(PoolOp.min(PoolSpec.of3d(2)), DY, X, null, windowCorners(POOLED, 0, 0)),
                        "the input of a 3-D pooling should be 5-D (N, C, D, H, W), but got 4-D 1x3x4x4"),
                new Row("a 2-D max backward on a 5-D input",
                        p -> p.backward(PoolOp.max(PoolSpec.of(2)), DY_3D, X_3D, null, volumeCorners(0, 0)),
                        "the input of a 2-D pooling should be 4-D (N, C, H, W), but got 5-D 1x3x4x4x4"),
                new Row("a 2-D adaptive size on a 5-D input",
                        p -> p.forward(PoolOp.adaptiveAvg(2, 2), X_3D),
                        "the input of a 2-D adaptive pooling should be 4-D (N, C, H, W), but got 5-D 1x3x4x4x4"),
                new Row("a 3-D adaptive size on a 4-D input",
                        p -> p.forward(PoolOp.adaptiveMax3d(2, 2, 2), X),
                        "the input of a 3-D adaptive pooling should be 5-D (N, C, D, H, W), but got 4-D 1x3x4x4"),
                new Row("3-D unpooling of 4-D values",
                        p -> p.forward(PoolOp.maxUnpool3d(4, 4, 4), DY, windowCorners(POOLED, 0, 0)),
                        "the input of a 3-D max unpooling should be 5-D, but got 4-D 1x3x2x2"),
                new Row("2-D unpooling of 5-D values",
                        p -> p.forward(PoolOp.maxUnpool(4, 4), DY_3D, volumeCorners(0, 0)),
                        "the input of a 2-D max unpooling should be 4-D, but got 5-D 1x3x2x2x2"),
                new Row("3-D LP pooling with padding (lp_pool3d takes none)",
                        p -> p.forward(PoolOp.lp(PoolSpec.of3d(2).withPadding(0, 1, 1), 2), X_3D),
                        "LP pooling padding should be 0 (lp_pool3d takes no padding), but got padD: 0, padH: 1, padW: 1"),
                new Row("a 2-D fractional max pooling of a 5-D input",
                        p -> p.forward(PoolOp.fractionalMax(2, 2, 2, 2, FractionalSamples.seeded(1)), X_3D),
                        "the input of a 2-D fractional max pooling should be 4-D (N, C, H, W), but got 5-D 1x3x4x4x4"),
                new Row("a 3-D fractional max pooling of a 4-D input",
                        p -> p.forward(PoolOp.fractionalMax3d(2, 2, 2, 2, 2, 2, FractionalSamples.seeded(1)), X),
                        "the input of a 3-D fractional max pooling should be 5-D (N, C, D, H, W), but got 4-D 1x3x4x4"),
                new Row("a 3-D fractional max pooling with 2 samples per plane",
                        p -> p.forward(PoolOp.fractionalMax3d(2, 2, 2, 2, 2, 2, FractionalSamples.of(1, 3, new float[6])), X_3D),
                        "fractional samples per plane (size(2)) should be 3 for a 3-D pooling, but got 2"),
                new Row("a 3-D fractional max pooling with samples of other channels",
                        p -> p.forward(PoolOp.fractionalMax3d(2, 2, 2, 2, 2, 2, FractionalSamples.of(1, 2, 3, new float[6])), X_3D),
                        "fractional samples' channels (size(1)) should be the input's 3, but got C: 2"),
                new Row("a 3-D fractional sample of 1",
                        p -> p.forward(PoolOp.fractionalMax3d(2, 2, 2, 2, 2, 2, FractionalSamples.of(1, 1, 3, new float[] {0f, 0f, 1f})), X_3D),
                        "fractional sample should be in [0, 1), but got sample[0][0][2]: 1.0"),
                new Row("a 3-D fractional max pooling output depth + kernel - 1 equal to the input's (PyTorch's strict 3-D check)",
                        p -> p.forward(PoolOp.fractionalMax3d(2, 2, 2, 3, 2, 2, FractionalSamples.seeded(1)), X_3D),
                        "fractional max pooling output depth + kernel depth - 1 should be less than the input depth 4, but got output 3, kernel 2"),
                new Row("a 3-D fractional max pooling output width past the input",
                        p -> p.forward(PoolOp.fractionalMax3d(2, 2, 2, 2, 2, 4, FractionalSamples.seeded(1)), X_3D),
                        "fractional max pooling output width + kernel width - 1 should be less than the input width 4, but got output 4, kernel 2"),
                new Row("3-D adaptive max to a depth of 0",
                        p -> p.forward(PoolOp.adaptiveMax3d(0, 2, 2), X_3D),
                        "adaptive output size should be greater than zero, but got outputD: 0, outputH: 2, outputW: 2"),
                new Row("3-D adaptive average to a width of 0",
                        p -> p.forward(PoolOp.adaptiveAvg3d(2, 2, 0), X_3D),
                        "adaptive output size should be greater than zero, but got outputD: 2, outputH: 2, outputW: 0"),
                new Row("3-D kernel deeper than the input",
                        p -> p.forward(PoolOp.max(PoolSpec.of3d(5, 2, 2)), X_3D),
                        "Given input size (3x4x4x4), calculated output size (3x0x2x2) is too small"),
                new Row("3-D depth padding more than half the kernel",
                        p -> p.forward(PoolOp.min(PoolSpec.of3d(2, 3, 3).withPadding(2, 1, 1)), X_3D),
                        "pad should be at most half of kernel size, but got padD=2, kernelD=2"),
                new Row("3-D average pooling with depth dilation",
                        p -> p.forward(PoolOp.avg(PoolSpec.of3d(2).withDilation(2, 1, 1)), X_3D),
                        "average pooling dilation should be 1, but got dilationD: 2, dilationH: 1, dilationW: 1"),
                new Row("3-D max backward index inside the volume but outside its window",
                        p -> p.backward(PoolOp.max(PoolSpec.of3d(2)), DY_3D, X_3D, null, volumeCorners(13, 1)),
                        "index should be inside its pooling window for an input plane of 4x4x4,"
                                + " but got index: 1 at output (n=0, c=1, d=1, h=0, w=1)"),
                new Row("3-D min backward index past the end of the volume",
                        p -> p.backward(PoolOp.min(PoolSpec.of3d(2)), DY_3D, X_3D, null, volumeCorners(7, 64)),
                        "index should be in [0, 64) for an input plane of 4x4x4, but got index: 64 at output (n=0, c=0, d=1, h=1, w=1)"),
                new Row("3-D adaptive max backward index outside its window",
                        p -> p.backward(PoolOp.adaptiveMax3d(2, 2, 2), DY_3D, X_3D, null, volumeCorners(5, 0)),
                        "index should be inside its adaptive pooling window for an input plane of 4x4x4,"
                                + " but got index: 0 at output (n=0, c=0, d=1, h=0, w=1)"),
                new Row("3-D average backward gradient not of the pooled shape",
                        p -> p.backward(PoolOp.avg(PoolSpec.of3d(2)), X_3D, X_3D, null, null),
                        "gradOutput shape should be 1x3x2x2x2, but got 1x3x4x4x4"),
                new Row("3-D unpooling index past the end of the volume",
                        p -> p.forward(PoolOp.maxUnpool3d(4, 4, 4), DY_3D, volumeCorners(9, 64)),
                        "index should be in [0, 64) for an unpooled plane of 4x4x4, but got index: 64 at value (n=0, c=1, d=0, h=0, w=1)"),
                new Row("3-D unpooling negative index",
                        p -> p.forward(PoolOp.maxUnpool3d(4, 4, 4), DY_3D, volumeCorners(22, -1)),
                        "index should be in [0, 64) for an unpooled plane of 4x4x4, but got index: -1 at value (n=0, c=2, d=1, h=1, w=0)"),
                new Row("3-D unpooling backward index past the end of the volume",
                        p -> p.backward(PoolOp.maxUnpool3d(4, 4, 4), X_3D, DY_3D, null, volumeCorners(9, 64)),
                        "index should be in [0, 64) for an unpooled plane of 4x4x4, but got index: 64 at value (n=0, c=1, d=0, h=0, w=1)")));
    }

    /** A refused plan: made on the closed context, so a passing row refused it before any device work. */
    record PlanRow(String reason, PoolOp op, Shape input, Algorithm algorithm, String message) {}

    /**
     * 3-D plans the OpenCL backend refuses: IM2COL with a 3-D average window and average and LP on
     * channels-last tensors (max and min run there, VolumeDifferentialTest; the reference has no
     * algorithms, so these are OpenCL's alone), ranks that do not match, and D·H·W planes past
     * int32 offsets (shapes too large for a host tensor, so they are plans). Each on the closed
     * context, through {@link PoolPlan#create} and, where a host tensor can hold the input,
     * through {@link OpenClPooling}.
     */
    @TestFactory
    Stream<DynamicTest> volumetricPlans() {
        PoolSpec cube = PoolSpec.of3d(2);
        PoolSpec uneven = PoolSpec.of3d(1, 2, 3).withStride(1, 2, 2).withPadding(0, 1, 1).withCeilMode(true);
        String im2col = "the IM2COL algorithm runs 3-D windows, channels-last tensors, float16/bfloat16 and float64 for max and min pooling "
                + "only: use DIRECT or AUTO for float32 ";
        Shape lastIn = IN.withLayout(Layout.CHANNELS_LAST);
        List<PlanRow> rows = List.of(
                new PlanRow("IM2COL with a channels-last average window", PoolOp.avg(PoolSpec.of(2)), lastIn, Algorithm.IM2COL,
                        im2col + "avg pooling of " + lastIn + " (" + PoolSpec.of(2) + ")"),
                new PlanRow("IM2COL with a channels-last LP window", PoolOp.lp(PoolSpec.of(2), 2.0), lastIn, Algorithm.IM2COL,
                        im2col + "lp pooling of " + lastIn + " (" + PoolSpec.of(2) + ")"),
                new PlanRow("IM2COL with a 3-D average window", PoolOp.avg(uneven, new AvgOptions(false, 3)), IN_3D, Algorithm.IM2COL,
                        im2col + "avg pooling of 1x3x4x4x4 (kernel=1x2x3 stride=1x2x2 padding=0x1x1 dilation=1x1x1 ceil)"),
                new PlanRow("a 2-D window on a 5-D input", PoolOp.max(PoolSpec.of(2)), IN_3D, Algorithm.DIRECT,
                        "the input of a 2-D pooling should be 4-D (N, C, H, W), but got 5-D 1x3x4x4x4"),
                new PlanRow("a 3-D window on a 4-D input", PoolOp.max(cube), IN, Algorithm.AUTO,
                        "the input of a 3-D pooling should be 5-D (N, C, D, H, W), but got 4-D 1x3x4x4"),
                new PlanRow("a 3-D window on a 4-D input, IM2COL (the rank is checked first)", PoolOp.avg(cube), IN, Algorithm.IM2COL,
                        "the input of a 3-D pooling should be 5-D (N, C, D, H, W), but got 4-D 1x3x4x4"),
                new PlanRow("a 2-D fractional max pooling of a 5-D input", PoolOp.fractionalMax(2, 2, 2, 2, FractionalSamples.seeded(1)), IN_3D,
                        Algorithm.AUTO, "the input of a 2-D fractional max pooling should be 4-D (N, C, H, W), but got 5-D 1x3x4x4x4"),
                new PlanRow("a 5-D input plane past int32 offsets (max)", PoolOp.max(cube), HUGE_PLANE_3D, Algorithm.DIRECT,
                        "the input " + HUGE_PLANE_MESSAGE + "input D x H x W: 2048x1024x1025 = 2149580800"),
                new PlanRow("a 5-D input plane past int32 offsets (avg)", PoolOp.avg(cube), HUGE_PLANE_3D, Algorithm.AUTO,
                        "the input " + HUGE_PLANE_MESSAGE + "input D x H x W: 2048x1024x1025 = 2149580800"),
                new PlanRow("a 5-D input plane past int32 offsets (adaptive average)", PoolOp.adaptiveAvg3d(1, 1, 1), HUGE_PLANE_3D,
                        Algorithm.AUTO, "the input " + HUGE_PLANE_MESSAGE + "input D x H x W: 2048x1024x1025 = 2149580800"),
                new PlanRow("an adaptive output volume past int32 offsets", PoolOp.adaptiveMax3d(2048, 1024, 1025), IN_3D, Algorithm.AUTO,
                        "the output " + HUGE_PLANE_MESSAGE + "output D x H x W: 2048x1024x1025 = 2149580800"),
                new PlanRow("an unpooled volume past int32 offsets", PoolOp.maxUnpool3d(2048, 1024, 1025), POOLED_3D, Algorithm.AUTO,
                        "the unpooled output " + HUGE_PLANE_MESSAGE + "unpooled output D x H x W: 2048x1024x1025 = 2149580800"));
        return rows.stream().flatMap(row -> Stream.of(
                dynamicTest("plan: " + row.reason(), () -> {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> PoolPlan.create(closedContext, row.op(), row.input(), row.algorithm()));
                    assertEquals(row.message(), e.getMessage());
                }),
                dynamicTest("host call [" + row.algorithm() + "]: " + row.reason(), () -> {
                    if (row.input().elementCount() > Integer.MAX_VALUE - 8) {
                        return; // no host tensor holds it: the plan row above is the check
                    }
                    try (OpenClPooling backend = new OpenClPooling(closedContext, row.algorithm())) {
                        Tensor x = Tensor.zeros(row.input());
                        IndexTensor taken = row.op().takesIndices() ? new IndexTensor(row.input(), new int[x.data().length]) : null;
                        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.forward(row.op(), x, taken));
                        assertEquals(row.message(), e.getMessage());
                    }
                })));
    }

    /**
     * Indices of a 2×2×2 pooling of 4×4×4 volumes (N 1, C 3), each at its window's first corner
     * {@code 2od·16 + 2oh·4 + 2ow}, except {@code bad} at position {@code at}.
     */
    private static IndexTensor volumeCorners(int at, int bad) {
        int[] idx = new int[(int) POOLED_3D.elementCount()];
        for (int i = 0; i < idx.length; i++) {
            int od = (i % 8) / 4;
            int oh = (i % 4) / 2;
            int ow = i % 2;
            idx[i] = 2 * od * 16 + 2 * oh * 4 + 2 * ow;
        }
        idx[at] = bad;
        return new IndexTensor(POOLED_3D, idx);
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

    /**
     * float64: IM2COL refuses average and LP like the half types (its general kernels run max and
     * min only), before any device work (the closed context); and a device without cl_khr_fp64 is
     * refused by name, checked here over extension lists since POCL reports cl_khr_fp64.
     */
    @TestFactory
    Stream<DynamicTest> float64Refusals() {
        String prefix = "the IM2COL algorithm runs 3-D windows, channels-last tensors, float16/bfloat16 and float64 for max and min "
                + "pooling only: use DIRECT or AUTO for float64 ";
        return Stream.of(
                dynamicTest("IM2COL float64 average", () -> assertEquals(prefix + "avg pooling of 1x3x4x4 (" + PoolSpec.of(2) + ")",
                        assertThrows(IllegalArgumentException.class, () -> PoolPlan.create(closedContext, PoolOp.avg(PoolSpec.of(2)), IN,
                                io.clpool.spec.DType.FLOAT64, Algorithm.IM2COL)).getMessage())),
                dynamicTest("IM2COL float64 LP, host call", () -> {
                    try (OpenClPooling backend = new OpenClPooling(closedContext, Algorithm.IM2COL)) {
                        Tensor x = Tensor.zeros(IN, io.clpool.spec.DType.FLOAT64);
                        assertEquals(prefix + "lp pooling of 1x3x4x4 (" + PoolSpec.of(2) + ")", assertThrows(IllegalArgumentException.class,
                                () -> backend.forward(PoolOp.lp(PoolSpec.of(2), 2.0), x)).getMessage());
                    }
                }),
                dynamicTest("float64 on a device without cl_khr_fp64", () -> assertEquals(
                        "float64 tensors need an OpenCL device with cl_khr_fp64 (double precision), but Acme / Tiny GPU does not "
                                + "report it: use float32 (e.g. Tensor.toType(DType.FLOAT32)) or another device",
                        assertThrows(IllegalArgumentException.class, () -> KernelFamilies.requireDeviceSupports(io.clpool.spec.DType.FLOAT64,
                                "Acme / Tiny GPU", "cl_khr_fp16 cl_khr_fp64_emulated  cl_khr_int64_base_atomics")).getMessage())),
                dynamicTest("float64 on a device with cl_khr_fp64, and other types anywhere", () -> {
                    KernelFamilies.requireDeviceSupports(io.clpool.spec.DType.FLOAT64, "d", " cl_khr_byte_addressable_store cl_khr_fp64 ");
                    KernelFamilies.requireDeviceSupports(io.clpool.spec.DType.FLOAT64, "d", "cl_khr_fp64");
                    for (io.clpool.spec.DType type : new io.clpool.spec.DType[] {io.clpool.spec.DType.FLOAT32, io.clpool.spec.DType.FLOAT16,
                        io.clpool.spec.DType.BFLOAT16}) {
                        KernelFamilies.requireDeviceSupports(type, "d", "");
                    }
                    assertThrows(IllegalArgumentException.class, () -> KernelFamilies.requireDeviceSupports(io.clpool.spec.DType.FLOAT64, "d", ""));
                }));
    }
}
