package io.clpool.opencl;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.clpool.Algorithm;
import io.clpool.IndexTensor;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Pooling1d;
import io.clpool.Pooling1d.Window;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import io.clpool.support.Inputs;
import io.clpool.support.TestAlgorithms;
import io.clpool.support.DeviceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * 1-D pooling over N×C×L: hand-worked PyTorch numbers on every backend, then OpenCL against the
 * reference over lengths 1, 7 and 93 and a sweep of windows, every op forward and backward.
 */
class Pooling1dTest extends DeviceTest {
    private static final Tensor FIVE = row(1f, 2f, 3f, 4f, 5f);
    private static final Tensor SEVEN = row(1f, 3f, 2f, 5f, 4f, -1f, 0f);

    private final Pooling1d reference = new Pooling1d(new ReferencePooling());
    private static Tensor row(float... values) {
        return new Tensor(Pooling1d.shape(1, 1, values.length), values);
    }

    /** Runs {@code check} on the reference and on every OpenCL algorithm. */
    private Stream<DynamicTest> onEveryBackend(String name, Consumer<Pooling1d> check) {
        Stream<DynamicTest> onReference = Stream.of(dynamicTest(name + " [reference]", () -> check.accept(reference)));
        return Stream.concat(onReference, TestAlgorithms.ALL.stream().map(algorithm -> dynamicTest(name + " [" + algorithm + "]", () -> {
            try (OpenClPooling device = new OpenClPooling(context, algorithm)) {
                check.accept(new Pooling1d(device));
            }
        })));
    }

    @TestFactory
    Stream<DynamicTest> handWorkedExamples() {
        Window k3s2p1 = Window.of(3).withStride(2).withPadding(1);
        Window k2p1 = Window.of(2).withPadding(1);
        return Stream.of(
                onEveryBackend("max_pool1d k=3 s=2 p=1: padding never wins, ties keep the first", p -> {
                    PoolResult r = p.maxPool1d(SEVEN, k3s2p1);
                    Compare.bitEqual(new float[] {3f, 5f, 5f, 0f}, r.values().data(), "values");
                    Compare.bitEqual(new int[] {1, 3, 3, 6}, r.indices().data(), "indices");
                    Compare.bitEqual(new float[] {0f, 1f, 0f, 5f, 0f, 0f, 4f},
                            p.maxPool1dBackward(row(1f, 2f, 3f, 4f), r.indices(), SEVEN, k3s2p1).data(), "gradient");
                }),
                onEveryBackend("min_pool1d k=3 s=2 p=1", p -> {
                    PoolResult r = p.minPool1d(SEVEN, k3s2p1);
                    Compare.bitEqual(new float[] {1f, 2f, -1f, -1f}, r.values().data(), "values");
                    Compare.bitEqual(new int[] {0, 2, 5, 5}, r.indices().data(), "indices");
                    Compare.bitEqual(new float[] {1f, 0f, 2f, 0f, 0f, 7f, 0f},
                            p.minPool1dBackward(row(1f, 2f, 3f, 4f), r.indices(), SEVEN, k3s2p1).data(), "gradient");
                }),
                onEveryBackend("avg_pool1d k=2 p=1: padding counted, or not", p -> {
                    Compare.close(new float[] {0.5f, 2.5f, 4.5f}, p.avgPool1d(FIVE, k2p1, AvgOptions.DEFAULT).data(), "counted");
                    Compare.close(new float[] {1f, 2.5f, 4.5f}, p.avgPool1d(FIVE, k2p1, new AvgOptions(false, 0)).data(),
                            "not counted");
                    Compare.close(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f},
                            p.avgPool1dBackward(row(1f, 1f, 1f), FIVE, k2p1, AvgOptions.DEFAULT).data(), "gradient");
                }),
                onEveryBackend("avg_pool1d k=2 ceil: the last window clipped at the end counts one tap", p ->
                        Compare.close(new float[] {1.5f, 3.5f, 5f},
                                p.avgPool1d(FIVE, Window.of(2).withCeilMode(true), AvgOptions.DEFAULT).data(), "values")),
                onEveryBackend("lp_pool1d p=2 k=2 ceil: a partial window is scaled by k/n", p -> {
                    Tensor y = p.lpPool1d(FIVE, Window.of(2).withCeilMode(true), 2);
                    Compare.close(new float[] {(float) Math.sqrt(5), 5f, (float) Math.sqrt(50)}, y.data(), "values");
                    // d/dx sqrt(k/n * sum x^2) = (k/n) * x / y per tap
                    Compare.close(new float[] {1f / (float) Math.sqrt(5), 2f / (float) Math.sqrt(5), 3f / 5f, 4f / 5f,
                                    2f * 5f / (float) Math.sqrt(50)},
                            p.lpPool1dBackward(row(1f, 1f, 1f), FIVE, y, Window.of(2).withCeilMode(true), 2).data(), "gradient");
                })).flatMap(s -> s);
    }

    @TestFactory
    Stream<DynamicTest> openClMatchesTheReference() {
        List<Window> windows = new ArrayList<>();
        for (int k : new int[] {1, 2, 3, 5}) {
            for (int s : new int[] {1, 2, 7}) {
                for (int pad = 0; pad <= k / 2; pad++) {
                    for (boolean ceil : new boolean[] {false, true}) {
                        windows.add(new Window(k, s, pad, 1, ceil));
                    }
                }
            }
        }
        Shape[] shapes = {Pooling1d.shape(1, 1, 1), Pooling1d.shape(2, 3, 7), Pooling1d.shape(3, 2, 93)};
        List<DynamicTest> tests = new ArrayList<>();
        long seed = 1_000;
        for (Algorithm algorithm : TestAlgorithms.ALL) {
            for (Shape shape : shapes) {
                for (Window window : windows) {
                    if (window.kernel() > shape.w() + 2 * window.padding()) {
                        continue;
                    }
                    Inputs flavour = Inputs.values()[(int) (seed % Inputs.values().length)];
                    Tensor x = flavour.tensor(shape, seed++);
                    tests.add(dynamicTest(algorithm + " " + shape + " " + window + " " + flavour,
                            () -> compare(algorithm, x, window)));
                }
            }
        }
        return tests.stream();
    }

    private void compare(Algorithm algorithm, Tensor x, Window window) {
        try (OpenClPooling backend = new OpenClPooling(context, algorithm)) {
            Pooling1d device = new Pooling1d(backend);
            PoolResult max = reference.maxPool1d(x, window);
            Compare.bitEqual(max.values().data(), device.maxPool1d(x, window).values().data(), "max values");
            Compare.bitEqual(max.indices().data(), device.maxPool1d(x, window).indices().data(), "max indices");
            PoolResult min = reference.minPool1d(x, window);
            Compare.bitEqual(min.values().data(), device.minPool1d(x, window).values().data(), "min values");
            Compare.bitEqual(min.indices().data(), device.minPool1d(x, window).indices().data(), "min indices");
            Tensor dy = Inputs.gradient(max.values().shape(), 5);
            IndexTensor idx = max.indices();
            Compare.close(reference.maxPool1dBackward(dy, idx, x, window).data(),
                    device.maxPool1dBackward(dy, idx, x, window).data(), "max gradient");

            AvgOptions options = new AvgOptions(window.padding() % 2 == 0, 0);
            Compare.close(reference.avgPool1d(x, window, options).data(), device.avgPool1d(x, window, options).data(), "avg values");
            Compare.close(reference.avgPool1dBackward(dy, x, window, options).data(),
                    device.avgPool1dBackward(dy, x, window, options).data(), "avg gradient");

            if (window.padding() == 0) {
                Tensor y = reference.lpPool1d(x, window, 2);
                Compare.close(y.data(), device.lpPool1d(x, window, 2).data(), "lp values");
                Compare.close(reference.lpPool1dBackward(dy, x, y, window, 2).data(),
                        device.lpPool1dBackward(dy, x, y, window, 2).data(), "lp gradient");
            }
        }
    }
}
