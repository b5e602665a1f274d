package io.clpool.cli;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.PoolResult;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The differential sweep: what it covers, that it passes on a correct backend, and that it catches a wrong one. */
class CheckCommandTest {

    @Test
    void theDefaultSweepPassesOnTheReferenceAndEndsWithTheCountLine() {
        CliRun run = CliRun.of("check", "--device", "cpu");
        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.outLines();
        assertEquals("675 passed, 0 failed", lines.get(lines.size() - 1), run::toString);
        assertTrue(run.err().contains("check: 675/675 cases, 0 failed"), "a progress line: " + run.err());
        assertTrue(lines.get(0).endsWith("(seed 20261125; 600 float32 channels-first, 75 in other formats)"), run::toString);
        assertTrue(lines.contains("  max3d: 45 of 45 cases equal"), run::toString);
        assertTrue(lines.contains("  float32 channels-first: 600 of 600 cases equal"), run::toString);
        for (String format : List.of("float32 channels-last", "float16 channels-first", "bfloat16 channels-first",
                "float16 channels-last", "bfloat16 channels-last")) {
            assertTrue(lines.contains("  " + format + ": 15 of 15 cases equal"), () -> format + ": " + run);
        }
        assertTrue(run.err().startsWith("clpool: note: --device cpu compares the plain-Java reference with itself"), run::toString);
    }

    /** --dtype and --channels-last run every case in that one format: the same draws as float32 channels first. */
    @Test
    void dtypeAndChannelsLastRunEveryCaseInThatFormat() {
        CliRun run = CliRun.of("check", "--device", "cpu", "--dtype", "float16", "--channels-last", "--cases", "28");
        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.outLines();
        assertTrue(lines.get(0).endsWith("(seed 20261125; all float16 channels-last)"), run::toString);
        assertTrue(lines.contains("  float16 channels-last: 28 of 28 cases equal"), run::toString);
        assertEquals("28 passed, 0 failed", lines.get(lines.size() - 1), run::toString);
        CliRun plain = CliRun.of("check", "--device", "cpu", "--dtype", "float32", "--cases", "28");
        assertEquals("28 passed, 0 failed", plain.outLines().get(plain.outLines().size() - 1), plain::toString);
        assertTrue(plain.out().contains("(seed 20261125; all float32 channels-first)"), plain::toString);

        List<DifferentialSweep.Case> half = DifferentialSweep.cases(28, 1, DifferentialSweep.OPS,
                new DifferentialSweep.Format(DType.FLOAT16, Layout.CHANNELS_LAST));
        for (DifferentialSweep.Case c : half) {
            Tensor x = DifferentialSweep.input(c);
            assertEquals(DType.FLOAT16, x.dtype(), c::toString);
            assertTrue(x.shape().isChannelsLast() && x.shape().c() >= 2, c::toString);
        }
    }

    /** The default sweep's format cases: one per op in each other format, numbered after the float32 ones. */
    @Test
    void theDefaultSweepAddsACasePerOpInEveryOtherFormat() {
        List<DifferentialSweep.Case> cases = DifferentialSweep.withOtherFormats(600, 20261125, DifferentialSweep.OPS);
        assertEquals(600 + 5 * 15, cases.size());
        assertEquals(DifferentialSweep.cases(600, 20261125, DifferentialSweep.OPS).stream().map(Object::toString).toList(),
                cases.subList(0, 600).stream().map(Object::toString).toList(), "the float32 channels-first cases are those of before");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < cases.size(); i++) {
            DifferentialSweep.Case c = cases.get(i);
            assertEquals(i + 1, c.number());
            if (i >= 600) {
                assertTrue(seen.add(c.op() + " " + c.format()), c::toString);
                assertTrue(DifferentialSweep.OTHER_FORMATS.contains(c.format()), c::toString);
            }
        }
        assertEquals(75, seen.size());
    }

    /** A half-precision sum is judged within two units in the type's last place; three units off fails. */
    @Test
    void halfPrecisionSumsAreJudgedInTheirType() {
        Pooling reference = new ReferencePooling();
        Pooling threeUlpsOff = new Delegating(reference) {
            @Override
            public PoolResult forward(PoolOp op, Tensor input, IndexTensor indices) {
                PoolResult r = reference.forward(op, input, indices);
                float[] values = r.values().data().clone();
                float v = values[0];
                float ulp = Math.ulp(v) * (1 << 13); // float16 keeps 10 of float's 23 fraction bits
                values[0] = DType.FLOAT16.round(v + 3 * ulp);
                return new PoolResult(new Tensor(r.values().shape(), values, DType.FLOAT16), r.indices());
            }
        };
        DifferentialSweep.Case c = DifferentialSweep.cases(30, 11, List.of("avg"),
                        new DifferentialSweep.Format(DType.FLOAT16, Layout.CHANNELS_FIRST)).stream()
                .filter(k -> k.flavour() == DifferentialSweep.Flavour.NEGATIVE).findFirst().orElseThrow(); // magnitude = |value|
        assertNull(DifferentialSweep.run(c, reference, reference));
        String problem = DifferentialSweep.run(c, threeUlpsOff, reference);
        assertNotNull(problem, c::toString);
        assertTrue(problem.contains("(tolerance 2 units in the last place of float16 at magnitude"), problem);
    }

    @Test
    void theSweepCoversEveryOpAndEveryFlavour() {
        List<DifferentialSweep.Case> cases = DifferentialSweep.cases(600, 20261125, DifferentialSweep.OPS);
        Set<String> ops = new HashSet<>();
        Set<DifferentialSweep.Flavour> flavours = new HashSet<>();
        Set<String> features = new HashSet<>();
        for (DifferentialSweep.Case c : cases) {
            ops.add(c.op());
            flavours.add(c.flavour());
            PoolSpec spec = c.request().op().spec();
            if (spec != null) {
                if (spec.hasPadding()) features.add("padding");
                if (spec.hasDilation()) features.add("dilation");
                if (spec.ceilMode()) features.add("ceil");
                if (spec.kernelH() != spec.kernelW()) features.add("rectangular");
            }
        }
        assertEquals(Set.copyOf(DifferentialSweep.OPS), ops);
        assertEquals(Set.of(DifferentialSweep.Flavour.values()), flavours);
        assertEquals(Set.of("padding", "dilation", "ceil", "rectangular"), features);
    }

    @Test
    void theThreeDimensionalOpsPoolFiveDimensionalInputsOverThreeAxes() {
        List<DifferentialSweep.Case> cases = DifferentialSweep.cases(600, 20261125, DifferentialSweep.OPS);
        Set<String> features = new HashSet<>();
        for (DifferentialSweep.Case c : cases) {
            boolean volumetric = c.op().endsWith("3d");
            assertEquals(volumetric, c.shape().volumetric(), c::toString);
            PoolSpec spec = c.request().op().spec();
            if (spec != null) {
                assertEquals(volumetric, spec.volumetric(), c::toString);
            }
            if (volumetric && spec != null) {
                if (spec.padD() > 0) features.add("depth padding");
                if (spec.dilationD() > 1) features.add("depth dilation");
                if (spec.kernelD() != spec.kernelH() || spec.kernelH() != spec.kernelW()) features.add("per-axis kernel");
                if (spec.ceilMode()) features.add("ceil");
            }
            if (volumetric && spec == null && !c.op().startsWith("adaptive")) {
                throw new AssertionError("a 3-D case without a window: " + c);
            }
        }
        assertEquals(Set.of("depth padding", "depth dilation", "per-axis kernel", "ceil"), features);
    }

    @Test
    void aBackendThatDiffersInOneBitFails() {
        Pooling reference = new ReferencePooling();
        Pooling offByOneUlp = new Delegating(reference) {
            @Override
            public PoolResult forward(PoolOp op, Tensor input, IndexTensor indices) {
                PoolResult r = reference.forward(op, input, indices);
                if (!(op instanceof PoolOp.Max)) {
                    return r;
                }
                float[] values = r.values().data().clone();
                values[values.length - 1] = Math.nextUp(values[values.length - 1]);
                return new PoolResult(new Tensor(r.values().shape(), values), r.indices());
            }
        };
        // finite values, so that one ulp up is a different value (nextUp leaves NaN and +inf as they are)
        DifferentialSweep.Case c = DifferentialSweep.cases(20, 7, List.of("max")).stream()
                .filter(k -> k.flavour() != DifferentialSweep.Flavour.SPECIAL).findFirst().orElseThrow();
        assertNull(DifferentialSweep.run(c, reference, reference));
        String problem = DifferentialSweep.run(c, offByOneUlp, reference);
        assertNotNull(problem);
        assertTrue(problem.startsWith("forward values: element"), problem);
    }

    @Test
    void anOpTheBackendLacksIsAFailureWithItsReason() {
        Pooling reference = new ReferencePooling();
        Pooling noAverage = new Delegating(reference) {
            @Override
            public PoolResult forward(PoolOp op, Tensor input, IndexTensor indices) {
                if (op instanceof PoolOp.Avg) {
                    throw new UnsupportedOperationException("average pooling is not yet implemented here");
                }
                return super.forward(op, input, indices);
            }
        };
        for (DifferentialSweep.Case c : DifferentialSweep.cases(20, 3, List.of("avg", "max"))) {
            String problem = DifferentialSweep.run(c, noAverage, reference);
            if (c.op().equals("avg")) {
                assertEquals("UnsupportedOperationException: average pooling is not yet implemented here", problem);
            } else {
                assertNull(problem, c::toString);
            }
        }
    }

    /** Passes every call to another backend; tests override the call they break. */
    private static class Delegating implements Pooling {
        private final Pooling inner;

        Delegating(Pooling inner) {
            this.inner = inner;
        }

        @Override public String name() { return "delegating"; }
        @Override public PoolResult forward(PoolOp op, Tensor input, IndexTensor indices) { return inner.forward(op, input, indices); }
        @Override public Tensor backward(PoolOp op, Tensor g, Tensor x, Tensor y, IndexTensor i) { return inner.backward(op, g, x, y, i); }
    }
}
