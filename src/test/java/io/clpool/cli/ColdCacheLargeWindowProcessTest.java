package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clpool.Tensor;
import io.clpool.io.Npy;
import io.clpool.reference.ReferencePooling;
import io.clpool.reference.TermMagnitudes;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.Compare;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 10: DIRECT with a window as large as its input, built by POCL from an empty kernel cache.
 * The fully unrolled program made POCL's compiler overflow the building thread's stack, a SIGSEGV
 * that killed the JVM (exit 139), from windows of about 44x44 up. POCL reads POCL_CACHE_DIR once
 * per process, so each case runs the command line in a child JVM with a fresh cache directory and
 * the JVM's default thread stack. The result must equal the reference and stderr stay empty (the
 * build's "N warnings generated." included).
 */
class ColdCacheLargeWindowProcessTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void device() {
        CliRun.requireOpenCl();
    }

    @ParameterizedTest(name = "{0} kernel {3}x{4} on {1}x{2}")
    @CsvSource({
        "max, 48, 48, 48, 48",
        "avg, 99, 99, 99, 99",
        "min, 1, 256, 1, 256",
    })
    void largeWindowBuildsFromAnEmptyCache(String op, int h, int w, int kh, int kw) throws Exception {
        Shape shape = Shape.of(1, 2, h, w);
        float[] data = new float[shape.elementCountAsInt()];
        Random random = new Random(h * 31L + w);
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat() * 2 - 1;
        }
        Tensor x = new Tensor(shape, data);
        Npy.writeFloat32(dir.resolve("x.npy"), shape.toLongArray(), data);
        Path cache = Files.createDirectories(dir.resolve("pocl-cache"));
        CliRun r = CliRun.inItsOwnJvm(dir, Duration.ofSeconds(300), List.of(),
                environment -> environment.put("POCL_CACHE_DIR", cache.toString()),
                "forward", "--device", "opencl", "--algorithm", "direct", "--op", op, "--kernel", kh + "," + kw,
                "--input", dir.resolve("x.npy").toString(), "--output", dir.resolve("y.npy").toString());
        assertEquals(0, r.exitCode(), () -> "exit code (139: the JVM crashed)\n" + r);
        assertEquals("", r.err(), "stderr");

        PoolSpec spec = PoolSpec.of(kh, kw);
        ReferencePooling reference = new ReferencePooling();
        float[] actual = Npy.read(dir.resolve("y.npy")).toFloats();
        switch (op) {
            case "max" -> Compare.bitEqual(reference.maxPool2d(x, spec).values().data(), actual, "max");
            case "min" -> Compare.bitEqual(reference.minPool2d(x, spec).values().data(), actual, "min");
            default -> Compare.close(reference.avgPool2d(x, spec, AvgOptions.DEFAULT).data(), actual,
                    TermMagnitudes.avgPool2d(x, spec, AvgOptions.DEFAULT), op);
        }
    }
}
