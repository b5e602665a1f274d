package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import io.clpool.support.SystemProperty;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The builds clpool makes, each through clang's OpenCL C 1.2 front end with {@code -pedantic-errors}:
 * POCL, CI's only OpenCL compiler, takes what another vendor's refuses (on 2026-11-27 every direct.cl
 * and volume.cl build failed on NVIDIA's OpenCL over variadic macros, a Clang extension, while every
 * POCL test passed), and the tests on POCL build only the define combinations they run. Here every
 * family, type, layout, op and GPU setting is parsed, from the same define maps the plans use
 * ({@link DirectKernels#defines}, {@link VolumeKernels#defines}, ...). Needs clang, not a device:
 * Debian's POCL package brings clang-15 (property {@value #CLANG_PROPERTY} names another).
 */
class KernelFrontEndTest {
    static final String CLANG_PROPERTY = "clpool.test.clang";

    private static final DType[] DIRECT_TYPES = {DType.FLOAT32, DType.FLOAT16, DType.BFLOAT16};

    /** Windows whose builds differ in kind: disjoint, overlapping, ResNet's stem, dilated, past the unrolled blocks. */
    private static final PoolSpec[] WINDOWS_2D = {PoolSpec.of(2), PoolSpec.of(3).withStride(1).withPadding(1),
        PoolSpec.of(3).withStride(2).withPadding(1), PoolSpec.of(3, 2).withStride(1, 2).withDilation(2, 1),
        PoolSpec.of(9).withStride(1), PoolSpec.of(4, 1).withStride(8, 1)};
    private static final PoolSpec[] WINDOWS_3D = {PoolSpec.of3d(2), PoolSpec.of3d(3).withStride(1).withPadding(1),
        PoolSpec.of3d(2, 3, 1).withStride(1, 2, 3).withDilation(2, 1, 1), PoolSpec.of3d(5, 1, 4).withStride(1)};

    /** Each GPU setting's values other than its default, one at a time (the defaults are built first). */
    private static final Map<String, List<String>> GPU_SETTINGS = Map.of(
            DirectKernels.COLUMNS_PROPERTY, List.of("1", "2", "4"),
            DirectKernels.GATHER_COLUMNS_PROPERTY, List.of("1", "4"),
            GpuLaunchShape.ROWS_PROPERTY, List.of("1", "2", "4", "8"),
            GpuLaunchShape.FLAT_PROPERTY, List.of("none", "bands", "all"),
            VolumeKernels.GPU_ROWS_PROPERTY, List.of("1", "4", "8"),
            VolumeKernels.GPU_COLUMNS_PROPERTY, List.of("2", "4"),
            VolumeKernels.GPU_FORWARD_COLUMNS_PROPERTY, List.of("2", "4"),
            VolumeKernels.GPU_CHANNELS_PER_ITEM_PROPERTY, List.of("1"));

    private static String clang;

    /** One program clpool builds: a file under kernels/ and its build options. */
    record Build(String file, String options) {}

    @BeforeAll
    static void findClang() {
        Optional<String> found = locateClang();
        if (found.isEmpty()) {
            String why = "no clang on the PATH (nor -D" + CLANG_PROPERTY + "): the kernels' OpenCL C front-end check needs it";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + why + " (ci/setup.sh installs it)");
            }
            System.err.println("*** SKIPPING " + why + " ***");
            Assumptions.abort(why);
        }
        clang = found.get();
    }

    @Test
    void everyBuildParsesAsStrictOpenClC12(@TempDir Path sources) throws Exception {
        Set<Build> builds = new LinkedHashSet<>(builds(WINDOWS_2D, WINDOWS_3D, true));
        // The settings change the GPU family's blocks: an overlapping and a disjoint window each.
        PoolSpec[] settings2d = {WINDOWS_2D[0], WINDOWS_2D[1]};
        PoolSpec[] settings3d = {WINDOWS_3D[0], WINDOWS_3D[1]};
        for (Map.Entry<String, List<String>> setting : GPU_SETTINGS.entrySet()) {
            for (String value : setting.getValue()) {
                try (SystemProperty p = SystemProperty.set(setting.getKey(), value)) {
                    builds.addAll(builds(settings2d, settings3d, false));
                }
            }
        }
        assertEquals(kernelFiles(), new TreeSet<>(builds.stream().map(Build::file).toList()),
                "every kernel file but " + KernelSource.SHARED + " (which every build starts with) should be among the builds");

        // Each file's source written once; each distinct error reported once, with the first build that has it.
        Map<String, Path> sourceFiles = new TreeMap<>();
        for (String file : kernelFiles()) {
            sourceFiles.put(file, Files.writeString(sources.resolve(file), source(file), StandardCharsets.UTF_8));
        }
        Map<String, Build> errors = new TreeMap<>();
        int failed = 0;
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        try {
            List<Future<String>> results = new ArrayList<>();
            for (Build build : builds) {
                results.add(pool.submit(() -> parse(sourceFiles.get(build.file()), build.options())));
            }
            int i = 0;
            for (Build build : builds) {
                String diagnostics = results.get(i++).get();
                if (diagnostics != null) {
                    failed++;
                    diagnostics.lines().filter(line -> line.contains("error:"))
                            .forEach(line -> errors.putIfAbsent(line, build));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        StringBuilder report = new StringBuilder();
        errors.forEach((error, build) -> report.append("\n  kernels/").append(error).append("\n    first in [")
                .append(build.options()).append(']'));
        assertEquals(0, failed, "OpenCL C 1.2 front-end errors (" + clang + ", -pedantic-errors) in " + failed + " of "
                + builds.size() + " builds:" + report);
        assertTrue(builds.size() > 300, "the builds should span the families, types and settings, got " + builds.size());
    }

    /** The check fails on what failed on NVIDIA, with the clang found: the check can fail. */
    @Test
    void aVariadicMacroFailsTheCheck(@TempDir Path sources) throws Exception {
        String source = "#define FIRST(X, ...) X\nkernel void k(global float *p) { p[0] = FIRST(1.0f, 2.0f); }\n";
        Path variadic = Files.writeString(sources.resolve("variadic.cl"), source);
        Path plain = Files.writeString(sources.resolve("plain.cl"), source.replace("FIRST(X, ...) X", "FIRST(X, Y) X"));
        String diagnostics = parse(variadic, KernelSource.options(Map.of()));
        assertTrue(diagnostics != null && diagnostics.contains("variadic macros"), "clang should refuse a variadic macro, got: "
                + diagnostics);
        assertEquals(null, parse(plain, KernelSource.options(Map.of())));
    }

    /** volume.cl's windows on a tensor shaped {@code in}, in each of {@code types}. */
    private record VolumeCase(PoolSpec window, Shape in, DType[] types) {}

    /**
     * Every program the plans build under this JVM's settings for these windows, each family,
     * type, layout and op; {@code everyShape} adds the shapes that change no GPU setting's build.
     */
    private static List<Build> builds(PoolSpec[] windows2d, PoolSpec[] windows3d, boolean everyShape) {
        List<Build> builds = new ArrayList<>();
        KernelSource.OpKernels[] ops = KernelSource.OpKernels.values();
        for (PoolSpec window : windows2d) {
            for (DType dtype : DIRECT_TYPES) {
                for (boolean cpuFamily : new boolean[] {true, false}) {
                    for (KernelSource.OpKernels op : ops) {
                        for (boolean min : minOrMax(op)) {
                            builds.add(new Build("direct.cl", KernelSource.options(DirectKernels.defines(window, op, min, dtype, cpuFamily))));
                        }
                    }
                }
            }
        }
        // volume.cl: 3-D windows in both layouts; 2-D windows channels last, and channels first in float64.
        // Channels last with C = 3 (no vector kernels) and past 2^31 elements (64-bit offsets) need
        // no second look under each GPU setting.
        Shape last3d = Shape.of(2, 8, 6, 7, 9).withLayout(Layout.CHANNELS_LAST);
        List<Shape> shapes3d = everyShape ? List.of(Shape.of(2, 8, 6, 7, 9), last3d, Shape.of(2, 3, 6, 7, 9).withLayout(Layout.CHANNELS_LAST),
                Shape.of(64, 64, 256, 256, 256)) : List.of(Shape.of(2, 8, 6, 7, 9), last3d);
        Shape last2d = Shape.of(2, 8, 17, 19).withLayout(Layout.CHANNELS_LAST);
        List<Shape> shapes2d = everyShape ? List.of(last2d, Shape.of(2, 3, 17, 19).withLayout(Layout.CHANNELS_LAST)) : List.of(last2d);
        List<VolumeCase> volumeCases = new ArrayList<>();
        for (PoolSpec window : windows3d) {
            shapes3d.forEach(in -> volumeCases.add(new VolumeCase(window, in, DType.values())));
        }
        for (PoolSpec window : windows2d) {
            shapes2d.forEach(in -> volumeCases.add(new VolumeCase(window, in, DType.values())));
            volumeCases.add(new VolumeCase(window, Shape.of(2, 3, 17, 19), new DType[] {DType.FLOAT64}));
        }
        for (VolumeCase c : volumeCases) {
            Shape out = c.window().outputShape(c.in());
            for (DType dtype : c.types()) {
                for (boolean gpu : new boolean[] {true, false}) {
                    for (KernelSource.OpKernels op : ops) {
                        for (boolean min : minOrMax(op)) {
                            builds.add(new Build("volume.cl", KernelSource.options(VolumeKernels.defines(c.window(), op, min, dtype, gpu,
                                    c.in(), out))));
                        }
                    }
                }
            }
        }
        for (Im2colKernels.Op op : Im2colKernels.Op.values()) {
            builds.add(new Build("im2col.cl", KernelSource.options(Im2colKernels.defines(op))));
        }
        for (DType dtype : DType.values()) {
            for (Layout layout : Layout.values()) {
                for (boolean min : new boolean[] {false, true}) {
                    builds.add(new Build("im2col_general.cl", KernelSource.options(Im2colGeneralKernels.defines(min, dtype, layout))));
                }
                for (String file : List.of("adaptive.cl", "fractional.cl", "unpool.cl")) {
                    builds.add(new Build(file, KernelSource.options(KernelSource.formatDefines(dtype, layout))));
                }
            }
        }
        builds.add(new Build("checks.cl", KernelSource.options(Map.of())));
        return builds;
    }

    private static boolean[] minOrMax(KernelSource.OpKernels op) {
        return op == KernelSource.OpKernels.EXTREMUM ? new boolean[] {false, true} : new boolean[] {false};
    }

    /** The files under kernels/ that a build names ({@link KernelSource#SHARED} is in every one). */
    private static Set<String> kernelFiles() throws IOException {
        try (Stream<Path> listed = Files.list(Path.of("kernels"))) {
            return new TreeSet<>(listed.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".cl") && !name.equals(KernelSource.SHARED)).toList());
        }
    }

    /**
     * What a build of {@code kernels/<file>} compiles ({@link KernelSource#load}), its two parts
     * named in {@code #line} directives so that a diagnostic names the file and its line.
     */
    private static String source(String file) {
        String loaded = KernelSource.load(file);
        String named = loaded.replaceFirst("\n#line 1\n", "\n#line 1 \"" + file + "\"\n");
        assertTrue(!named.equals(loaded), "KernelSource.load should mark where kernels/" + file + " starts with #line 1");
        return "#line 1 \"" + KernelSource.SHARED + "\"\n" + named;
    }

    /**
     * clang's diagnostics for the source in {@code file} built with {@code options} (without
     * {@code -w}, which would hide the pedantic errors), or null where it parses. Syntax and
     * semantics only: no code is generated. The output goes to a file, so that a clang that hangs
     * is given up on whatever it printed.
     */
    private static String parse(Path file, String options) throws IOException, InterruptedException {
        Path log = Files.createTempFile(file.getParent(), "clang", ".log");
        try {
            List<String> command = new ArrayList<>(List.of(clang, "-x", "cl", "-fsyntax-only", "-Xclang", "-finclude-default-header",
                    "-pedantic-errors"));
            Arrays.stream(options.split("\\s+")).filter(option -> !option.equals("-w")).forEach(command::add);
            command.add(file.toString());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                return "clang did not finish within 120 s";
            }
            return process.exitValue() == 0 ? null : Files.readString(log, StandardCharsets.UTF_8).strip();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static final Pattern CLANG_NAME = Pattern.compile("clang(-(\\d+))?");

    /** {@value #CLANG_PROPERTY}, else the newest {@code clang-N} or {@code clang} on the PATH. */
    private static Optional<String> locateClang() {
        String named = System.getProperty(CLANG_PROPERTY);
        if (named != null && !named.isBlank()) {
            return Optional.of(named.trim());
        }
        List<Path> found = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File[] files = dir.isEmpty() ? null : new File(dir).listFiles();
            for (File file : files == null ? new File[0] : files) {
                if (CLANG_NAME.matcher(file.getName()).matches() && file.canExecute()) {
                    found.add(file.toPath());
                }
            }
        }
        return found.stream().max(Comparator.comparingInt(KernelFrontEndTest::clangVersion)).map(Path::toString);
    }

    private static int clangVersion(Path path) {
        Matcher m = CLANG_NAME.matcher(path.getFileName().toString());
        return m.matches() && m.group(2) != null ? Integer.parseInt(m.group(2)) : 0;
    }
}
