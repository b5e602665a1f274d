package io.clpool.opencl;

import io.clpool.support.Calls;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clpool.Algorithm;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import io.clpool.support.TestAlgorithms;
import io.clpool.support.DeviceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property tests with a seeded generator: thousands of random valid (spec, shape, op, flavour)
 * cases agree with the reference on every algorithm, and random invalid specs are always rejected
 * with a message, never a crash or a hang. CLPOOL_PROPERTY_CASES raises the count for long runs.
 */
class RandomizedDifferentialTest extends DeviceTest {
    static final List<String> OPS = Differential.OPS;
    private static final int CASES = Integer.parseInt(System.getenv().getOrDefault("CLPOOL_PROPERTY_CASES", "1000"));

    private final Pooling reference = new ReferencePooling();

    @Test
    void randomValidCasesMatchTheReference() {
        Random random = new Random(0xC1F001L);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Algorithm algorithm : TestAlgorithms.ALL) {
            try (OpenClPooling device = new OpenClPooling(context, algorithm)) {
                while (checked < CASES * (TestAlgorithms.ALL.indexOf(algorithm) + 1)) {
                    Shape shape = Shape.of(1 + random.nextInt(3), 1 + random.nextInt(4), 1 + random.nextInt(40), 1 + random.nextInt(40));
                    PoolSpec spec = randomSpec(random);
                    if (!fits(spec, shape)) {
                        continue;
                    }
                    String op = OPS.get(random.nextInt(OPS.size()));
                    Inputs flavour = Inputs.values()[random.nextInt(Inputs.values().length)];
                    long seed = random.nextLong();
                    Tensor x = flavour.tensor(shape, seed);
                    checked++;
                    try {
                        Differential.check(device, reference, op, x, spec, seed);
                    } catch (AssertionError | RuntimeException e) {
                        failures.add(algorithm + " " + op + " " + shape + " " + spec + " " + flavour + ": " + e.getMessage());
                    }
                }
            }
        }
        System.out.println("RandomizedDifferentialTest: " + checked + " random cases, " + failures.size() + " failed");
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + checked + " random cases differ from the reference, first: "
                    + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
        }
    }

    @Test
    void randomInvalidSpecsAreRejectedWithAMessage() {
        Random random = new Random(0xBAD5EEDL);
        int rejected = 0;
        try (OpenClPooling device = new OpenClPooling(context, Algorithm.AUTO)) {
            for (int i = 0; i < 5000; i++) {
                int[] v = new int[8];
                for (int j = 0; j < v.length; j++) {
                    v[j] = random.nextInt(9) - 3;
                }
                Shape shape = Shape.of(1, 1, 1 + random.nextInt(6), 1 + random.nextInt(6));
                PoolSpec spec;
                try {
                    spec = new PoolSpec(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], random.nextBoolean());
                } catch (IllegalArgumentException e) {
                    assertMessage(e);
                    rejected++;
                    continue;
                }
                if (fits(spec, shape)) {
                    continue;
                }
                Tensor x = Inputs.NORMAL.tensor(shape, i);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Calls.maxPool2d(device, x, spec));
                assertMessage(e);
                rejected++;
            }
        }
        assertTrue(rejected > 1000, "the generator should produce many invalid specs, got " + rejected);
    }

    private static void assertMessage(IllegalArgumentException e) {
        String message = e.getMessage();
        assertTrue(message != null && (message.contains("but got") || message.matches("Given input size \\(.*\\), calculated output size \\(.*\\) is too small")),
                "message should name the values: " + message);
    }

    static PoolSpec randomSpec(Random random) {
        int kh = 1 + random.nextInt(5);
        int kw = 1 + random.nextInt(5);
        return new PoolSpec(kh, kw, 1 + random.nextInt(4), 1 + random.nextInt(4), random.nextInt(kh / 2 + 1),
                random.nextInt(kw / 2 + 1), 1 + random.nextInt(random.nextInt(4) == 0 ? 3 : 1),
                1 + random.nextInt(random.nextInt(4) == 0 ? 3 : 1), random.nextBoolean());
    }

    static boolean fits(PoolSpec spec, Shape shape) {
        try {
            spec.outputShape(shape);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
