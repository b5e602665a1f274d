package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clpool.Algorithm;
import io.clpool.Pooling;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Differential;
import io.clpool.support.Inputs;
import io.clpool.support.TestDevices;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One context and one backend per algorithm shared by 8 threads running 100 mixed ops each: every
 * result equals the reference. The windows come from a few geometries drawn once, so that threads
 * meet on the same programs, kernels (each with its cached arguments) and scratch buffers, which
 * 800 distinct geometries, one build each, seldom made them do (and whose builds took most of the
 * test's 4 to 6 minutes); {@link RandomizedDifferentialTest} covers the geometries.
 */
class ConcurrencyTest {
    private static final int GEOMETRIES = 12;

    @Test
    void eightThreadsTimesHundredMixedOpsOnOneContext() throws Exception {
        Pooling reference = new ReferencePooling();
        try (ClContext context = TestDevices.openContext();
             OpenClPooling shared = new OpenClPooling(context, Algorithm.AUTO);
             OpenClPooling sharedIm2col = new OpenClPooling(context, Algorithm.IM2COL)) {
            Random drawn = new Random(0xC0C0L);
            List<PoolSpec> specs = new ArrayList<>();
            while (specs.size() < GEOMETRIES) {
                specs.add(RandomizedDifferentialTest.randomSpec(drawn));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long threadSeed = 1000L + t;
                results.add(pool.submit(() -> {
                    Random random = new Random(threadSeed);
                    int done = 0;
                    while (done < 100) {
                        Shape shape = Shape.of(1 + random.nextInt(2), 1 + random.nextInt(3), 3 + random.nextInt(20), 3 + random.nextInt(20));
                        PoolSpec spec = specs.get(random.nextInt(specs.size()));
                        if (!RandomizedDifferentialTest.fits(spec, shape)) {
                            continue;
                        }
                        String op = RandomizedDifferentialTest.OPS.get(random.nextInt(RandomizedDifferentialTest.OPS.size()));
                        long seed = random.nextLong();
                        Differential.check(random.nextBoolean() ? shared : sharedIm2col, reference, op,
                                Inputs.values()[random.nextInt(Inputs.values().length)].tensor(shape, seed), spec, seed);
                        done++;
                    }
                    return done;
                }));
            }
            pool.shutdown();
            // A guard against a hang, not a speed bar: on a 2-core POCL machine with an empty cache the
            // builds of 800 distinct geometries took 5 minutes (CI, 2026-11-27).
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            assertEquals(800, total);
        }
    }
}
