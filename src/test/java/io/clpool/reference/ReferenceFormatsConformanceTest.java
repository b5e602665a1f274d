package io.clpool.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.PoolOp;
import io.clpool.Tensor;
import io.clpool.spec.Layout;
import io.clpool.support.Compare;
import io.clpool.support.ConformanceCase;
import io.clpool.support.ConformanceCheck;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference reproduces the 36 PyTorch 2.11 channels-last and half-precision cases of
 * conformance2 (12 float32 NHWC: max, avg, adaptive avg; 16 float16: max, avg, adaptive avg,
 * adaptive max; 8 bfloat16: max, avg), read as tensors of their layout and dtype: max and
 * adaptive-max values and indices bit for bit (NaN equals NaN), averages and every gradient
 * within {@link io.clpool.Tolerance}'s rule for the dtype, scaled by their terms' magnitudes.
 */
class ReferenceFormatsConformanceTest {

    static Stream<ConformanceCase> cases() {
        return ConformanceCase.formats().stream();
    }

    @Test
    void allThirtySixCasesAreThereWithTheirLayoutAndDtype() {
        assertEquals(36, cases().count());
        Map<String, Long> perFormat = cases().collect(Collectors.groupingBy(
                c -> c.dtype().label() + (c.layout() == Layout.CHANNELS_LAST ? " NHWC" : ""), TreeMap::new, Collectors.counting()));
        assertEquals(Map.of("float32 NHWC", 12L, "float16", 16L, "bfloat16", 8L), perFormat);
        cases().forEach(c -> {
            PoolOp op = c.poolOp();
            assertEquals(c.op(), op.name(), c.name());
            Tensor x = c.x();
            assertEquals(c.layout(), x.shape().layout(), c + " layout");
            assertEquals(c.dtype(), x.dtype(), c + " dtype");
            assertArrayEquals(c.logicalShape(), x.shape().toLongArray(), c + " logical shape (spec.json's, channels second)");
            assertEquals(op.outputShape(x.shape()), c.y().shape(), c + " output shape");
            assertEquals(c.y().shape(), c.gy().shape(), c + " gradient shape");
            assertEquals(x.shape(), c.gx().shape(), c + " input gradient shape");
            for (Tensor t : new Tensor[] {c.y(), c.gy(), c.gx()}) {
                assertEquals(c.dtype(), t.dtype(), c + " dtype");
            }
            if (op.hasIndices()) {
                assertEquals(c.y().shape(), c.idx().shape(), c + " index shape");
            } else {
                assertTrue(op.name().contains("avg"), c.name());
            }
        });
    }

    /**
     * The loader puts the files' N,H,W,C elements where the logical (n, c, h, w) says: the
     * channels-last input, moved to channels first, is the same logical tensor, and each index
     * points at its winner (the value at that logical offset of the input plane).
     */
    @Test
    void channelsLastFilesAreReadInTheirMemoryOrder() {
        cases().filter(c -> c.layout() == Layout.CHANNELS_LAST && c.op().equals("max")).forEach(c -> {
            Tensor x = c.x();
            Tensor y = c.y();
            int[] idx = c.idx().data();
            Tensor first = x.withLayout(Layout.CHANNELS_FIRST);
            var out = y.shape();
            for (int n = 0; n < out.n(); n++) {
                for (int ch = 0; ch < out.c(); ch++) {
                    for (int h = 0; h < out.h(); h++) {
                        for (int w = 0; w < out.w(); w++) {
                            int at = idx[y.offset(n, ch, h, w)];
                            float winner = first.get(n, ch, at / x.shape().w(), at % x.shape().w());
                            assertEquals(Float.floatToIntBits(y.get(n, ch, h, w)), Float.floatToIntBits(winner),
                                    c + " output (" + n + ", " + ch + ", " + h + ", " + w + ")");
                        }
                    }
                }
            }
        });
    }

    /**
     * Why a half-precision avg gradient may differ from PyTorch's by more than the type's two
     * units at its own scale (case0062, bfloat16: up to 5) while the reference is right: PyTorch's
     * CUDA {@code avg_pool2d_backward} adds {@code gradOutput / divide_factor} into a float, but
     * that quotient of a Half or BFloat16 by an int is itself rounded to the type (c10's
     * {@code operator/(Half, int)}). Replaying that rule reproduces all eight half avg gradients
     * bit for bit; the reference (float32 throughout, rounded once) is within Tolerance's rule,
     * which scales by the terms' magnitude.
     */
    @Test
    void halfPrecisionAvgGradientsArePyTorchsTermsRoundedToTheType() {
        cases().filter(c -> c.op().equals("avg") && c.dtype() != io.clpool.spec.DType.FLOAT32).forEach(c -> {
            PoolOp.Avg avg = (PoolOp.Avg) c.poolOp();
            Tensor gy = c.gy();
            Tensor expected = c.gx();
            var spec = avg.spec();
            var options = avg.options();
            var in = expected.shape();
            var out = gy.shape();
            float[] replayed = new float[expected.data().length];
            for (int n = 0; n < in.n(); n++) {
                for (int ch = 0; ch < in.c(); ch++) {
                    for (int h = 0; h < in.h(); h++) {
                        for (int w = 0; w < in.w(); w++) {
                            float gradient = 0f;
                            for (int ph = 0; ph < out.h(); ph++) {
                                for (int pw = 0; pw < out.w(); pw++) {
                                    int hs = ph * spec.strideH() - spec.padH();
                                    int ws = pw * spec.strideW() - spec.padW();
                                    int he = Math.min(hs + spec.kernelH(), in.h() + spec.padH());
                                    int we = Math.min(ws + spec.kernelW(), in.w() + spec.padW());
                                    int poolSize = (he - hs) * (we - ws);
                                    hs = Math.max(hs, 0);
                                    ws = Math.max(ws, 0);
                                    he = Math.min(he, in.h());
                                    we = Math.min(we, in.w());
                                    if (h < hs || h >= he || w < ws || w >= we) {
                                        continue;
                                    }
                                    int divisor = options.divisorOverride() > 0 ? options.divisorOverride()
                                            : options.countIncludePad() ? poolSize : (he - hs) * (we - ws);
                                    gradient += c.dtype().round(gy.get(n, ch, ph, pw) / divisor);
                                }
                            }
                            replayed[expected.offset(n, ch, h, w)] = c.dtype().round(gradient);
                        }
                    }
                }
            }
            Compare.bitEqual(expected.data(), replayed, c + " PyTorch's rule replayed");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(ConformanceCase c) {
        ConformanceCheck.run(new ReferencePooling(), c);
    }
}
