package io.clpool.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the kernels may not use although POCL builds it: CI's compiler is not the only one they meet.
 * Needs no device.
 */
class KernelPortabilityTest {
    /** A variadic macro's definition: {@code #define NAME(..., ...)}, or a use of its arguments. */
    private static final Pattern VARIADIC = Pattern.compile("#\\s*define\\s+\\w+\\([^)]*\\.\\.\\.\\s*\\)|__VA_ARGS__");

    /**
     * OpenCL C has no variadic macros. POCL's clang takes them (with -w, silently); NVIDIA's OpenCL
     * compiler refuses them ("variadic macros not supported in OpenCL"), which on 2026-11-27 failed
     * every direct.cl and volume.cl build on an H200 while every POCL test passed.
     */
    @Test
    void noKernelDefinesAVariadicMacro() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(Path.of("kernels"))) {
            files = listed.filter(p -> p.toString().endsWith(".cl")).sorted().toList();
        }
        assertTrue(files.size() >= 9, "the kernel sources should be found under kernels/, got " + files);
        List<String> found = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = VARIADIC.matcher(lines.get(i));
                if (m.find()) {
                    found.add(file.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertEquals(List.of(), found, "variadic macros, which NVIDIA's OpenCL compiler refuses");
    }

    @Test
    void thePatternFindsVariadicMacros() {
        assertTrue(VARIADIC.matcher("#define FOR_EACH(...)   \\").find());
        assertTrue(VARIADIC.matcher("#define CASES(T, ...) \\").find());
        assertTrue(VARIADIC.matcher("    __VA_ARGS__ \\").find());
        assertTrue(!VARIADIC.matcher("#define CASES(T, BODY) \\").find());
        assertTrue(!VARIADIC.matcher("// Offsets (plane * H*W + ...) are ulong.").find());
    }
}
