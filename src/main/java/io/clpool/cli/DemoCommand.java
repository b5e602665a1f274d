package io.clpool.cli;

import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.Shape;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clpool demo}, the main job: pools a picture on the device, forward and backward, checks
 * both against the reference, and writes what happened as pictures and a web page.
 */
@Command(name = "demo", sortOptions = false,
        description = {"Pool a handwritten digit on the device, check it, and show it as pictures.",
                "Max-pools a 28×28 handwritten digit (or --image) 2×2 with stride 2 on the default device, runs the "
                        + "backward pass with a gradient of ones, compares both with the plain-Java reference, and writes "
                        + "input.png, pooled.png, argmax.png, grad.png and index.html into --out. Exits 1 if the device differs."})
final class DemoCommand implements Callable<Integer> {
    private static final Flags.PerAxis DEFAULT_KERNEL = Flags.PerAxis.of(2);
    /** Every file the demo may write into {@code --out}. */
    private static final List<String> FILES = List.of("input.png", "pooled.png", "argmax.png", "grad.png", "index.html");

    @Spec
    CommandSpec spec;

    @Option(names = "--image", paramLabel = "FILE", description = "A PNG or JPEG to pool instead of the digit (converted to gray).")
    Path image;

    @Option(names = "--rgb", description = "With --image: pool the red, green and blue channels (1×3×H×W) instead of gray.")
    boolean rgb;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "clpool-demo", description = "Where the pictures go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    PoolingOptions pooling;

    @Mixin
    DeviceOptions device;

    @Mixin
    CommonOptions common;

    static final String REFERENCE_ONLY = "Ran on the plain-Java reference only, not on an OpenCL device:"
            + " nothing was compared, and these pictures check no device (--device opencl requires one)";
    static final String NOT_CHECKED = "not checked (ran on the plain-Java reference only, no device)";

    /** One picture of the page: its file, its caption. */
    private record Figure(String file, String caption) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PoolingRequest request = pooling.check(DEFAULT_KERNEL)
                .forInput(InputRank.TWO_D, image != null ? "--image " + image : "the demo's digit");
        if (rgb && image == null) {
            throw UsageError.required("--image", "by --rgb");
        }
        checkOut();
        if (image != null) {
            requireHeap(request);
        }
        Tensor input = image != null ? DemoPictures.readImage(image, rgb) : DemoPictures.drawDigit();
        Shape pooledShape = request.outputShape(input.shape());
        Tensor ones = new Tensor(pooledShape, filled(pooledShape.elementCountAsInt(), 1f));

        PoolingRequest.Forward actual;
        Tensor grad;
        long deviceNanos;
        String where;
        boolean onDevice;
        try (Backend backend = device.open(spec.commandLine().getErr())) {
            where = backend.describe();
            onDevice = backend.isOpenCl();
            backend.startTiming();
            actual = request.forward(backend.pooling(), input);
            grad = request.backward(backend.pooling(), ones, input, actual.indices());
            deviceNanos = backend.deviceNanos();
        }
        String forwardProblem = null, backwardProblem = null, forwardVerdict, backwardVerdict;
        if (onDevice) {
            ReferencePooling reference = new ReferencePooling();
            PoolingRequest.Forward expected = request.forward(reference, input);
            Tensor expectedGrad = request.backward(reference, ones, input, expected.indices());
            forwardProblem = Comparison.forward(request, input, expected, actual);
            backwardProblem = Comparison.gradient(request, ones, input, expected, expectedGrad.data(), grad.data());
            forwardVerdict = verdict(forwardProblem, expected.values().data(), actual.values().data());
            backwardVerdict = verdict(backwardProblem, expectedGrad.data(), grad.data());
        } else {
            // the reference against itself would say "equal" having checked nothing
            forwardVerdict = backwardVerdict = NOT_CHECKED;
        }
        String time = deviceNanos < 0 ? "n/a (reference on the CPU)"
                : String.format(Locale.ROOT, "%.3f ms (kernels, forward + backward)", deviceNanos / 1e6);

        List<String> facts = List.of("device: " + where, "operation: " + request, "shapes: " + input.shape() + " → " + pooledShape,
                "device time: " + time, "forward vs reference: " + forwardVerdict, "backward vs reference: " + backwardVerdict);
        List<Path> written = writePictures(request, input, actual, grad, facts, onDevice);

        if (!onDevice) {
            stdout.println(REFERENCE_ONLY);
        }
        stdout.println("device:    " + where);
        stdout.println("operation: " + request);
        stdout.println("shapes:    " + input.shape() + " -> " + pooledShape + (image == null ? " (the embedded handwritten 2)" : " (" + image + ")"));
        stdout.println("device time: " + time);
        stdout.println("forward equals reference:  " + forwardVerdict);
        stdout.println("backward equals reference: " + backwardVerdict);
        stdout.println("wrote " + written.size() + " files: " + out.resolve("index.html") + " shows them");
        return forwardProblem == null && backwardProblem == null ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /**
     * Before decoding the image, from its dimensions: the decoded picture, the input tensor, the
     * device's and the reference's results and gradients, the argmax tensor and a picture the size
     * of the input.
     */
    private void requireHeap(PoolingRequest request) throws IOException {
        int[] size = DemoPictures.imageSize(image);
        long pixels = (long) size[0] * size[1];
        int channels = rgb ? 3 : 1;
        if (pixels * channels > Integer.MAX_VALUE - 8) {
            throw UsageError.badContent("--image", image, "is " + size[0] + "x" + size[1] + " pixels, more than a Java array holds"
                    + (rgb ? " in three channels" : "") + "; give a smaller image");
        }
        long pooled = request.outputShape(Shape.of(1, channels, size[1], size[0])).elementCount();
        long bytes = pixels * 4 * 2 + pixels * channels * (4 * 4 + 1) + pooled * 8 * 2;
        HeapCheck.require(bytes, "demo of --image " + image + " (" + size[0] + "x" + size[1] + " pixels" + (rgb ? ", RGB" : "") + ")");
    }

    /**
     * Before any work: {@code --out} is a directory, or a new one in an existing writable directory;
     * the files the demo writes there are not directories and not {@code --image}.
     */
    private void checkOut() {
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent) || Files.exists(out) && !Files.isDirectory(out)) {
            throw new UsageError("--out " + out + " should be a directory or a new one in an existing directory");
        }
        if (!Files.exists(out) && !Files.isWritable(parent)) {
            throw new UsageError("--out " + out + " cannot be created: directory " + parent + " is not writable");
        }
        for (String name : FILES) {
            Path file = out.resolve(name);
            if (Files.exists(out)) {
                StagedOutputs.checkWritable("--out", file);
            }
            if (image != null && StagedOutputs.sameFile(file, image)) {
                throw new UsageError("--image " + image + " is the file " + file + " that the demo writes; give --out another directory");
            }
        }
    }

    /** Writes the four pictures (three for ops without indices) and the page, all or none. */
    private List<Path> writePictures(PoolingRequest request, Tensor input, PoolingRequest.Forward pooled, Tensor grad,
                                     List<String> facts, boolean onDevice) throws IOException {
        Shape pooledShape = pooled.values().shape();
        float[] range = DemoPictures.range(input);
        float[] pooledRange = DemoPictures.range(pooled.values());
        float[] gradRange = DemoPictures.range(grad);
        int scale = DemoPictures.scaleFor(input.shape());
        List<Figure> figures = new ArrayList<>();
        boolean created = !Files.exists(out);
        Files.createDirectories(out);
        boolean committed = false;
        try (StagedOutputs outputs = new StagedOutputs()) {
            outputs.stage("--out", out.resolve("input.png"), p -> DemoPictures.writePng(DemoPictures.picture(input, range[0], range[1], scale), p));
            figures.add(new Figure("input.png", "input " + input.shape()));
            // the pooled picture keeps the input's grey levels (an average of pixels looks like a pixel)
            outputs.stage("--out", out.resolve("pooled.png"), p -> DemoPictures.writePng(DemoPictures.picture(pooled.values(),
                    Math.min(range[0], pooledRange[0]), Math.max(range[1], pooledRange[1]), DemoPictures.scaleFor(pooledShape)), p));
            figures.add(new Figure("pooled.png", request.op().name() + " pooled " + pooledShape));
            if (request.op().hasIndices()) {
                Tensor winners = DemoPictures.winners(input, pooled.indices());
                outputs.stage("--out", out.resolve("argmax.png"), p -> DemoPictures.writePng(DemoPictures.picture(winners, range[0], range[1], scale), p));
                figures.add(new Figure("argmax.png", "argmax: the input pixels that won a window (the rest dimmed)"));
            }
            outputs.stage("--out", out.resolve("grad.png"), p -> DemoPictures.writePng(DemoPictures.picture(grad,
                    Math.min(0, gradRange[0]), gradRange[1], scale), p));
            figures.add(new Figure("grad.png", "gradient of the input for a gradient of ones (black 0, white "
                    + String.format(Locale.ROOT, "%.3g", gradRange[1]) + ")"
                    + (request.op().hasIndices() ? "; where a window is all one value, its first pixel wins the tie" : "")));
            outputs.stage("--out", out.resolve("index.html"), p -> Files.writeString(p, page(facts, figures, onDevice), StandardCharsets.UTF_8));
            List<Path> written = outputs.commit();
            committed = true;
            return written;
        } finally {
            if (created && !committed) {
                try {
                    Files.deleteIfExists(out); // the directory made for this run, empty again: nothing is left behind
                } catch (IOException e) {
                    // not empty after all: leave it, and let the first failure be the one reported
                }
            }
        }
    }

    /** Says how equal: a sum that happens to match bit for bit is reported as such. */
    private static String verdict(String problem, float[] expected, float[] actual) {
        if (problem != null) {
            return "DIFFERENT: " + problem;
        }
        return Comparison.exact(expected, actual, "") == null ? "equal (bit for bit)"
                : "equal (within 1e-5 relative / 1e-6 absolute; not bit for bit)";
    }

    private static String page(List<String> facts, List<Figure> figures, boolean onDevice) {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>clpool demo</title>
                <style>
                  body { font-family: sans-serif; margin: 2em; background: #fafafa; color: #222; }
                  .row { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
                  figure { margin: 0; width: 300px; }
                  img { image-rendering: pixelated; border: 1px solid #999; max-width: 100%; }
                  figcaption { font-size: 0.9em; margin-top: 0.4em; }
                  li { margin: 0.2em 0; }
                  .warning { background: #fff3cd; border: 1px solid #c90; padding: 0.6em 1em; }
                </style>
                </head>
                <body>
                <h1>clpool demo</h1>
                """);
        if (!onDevice) {
            html.append("<p class=\"warning\"><strong>").append(escape(REFERENCE_ONLY)).append("</strong></p>\n");
        }
        html.append("<ul>\n");
        for (String fact : facts) {
            html.append("<li>").append(escape(fact)).append("</li>\n");
        }
        html.append("</ul>\n<div class=\"row\">\n");
        for (Figure figure : figures) {
            html.append("<figure><img src=\"").append(figure.file()).append("\" alt=\"").append(escape(figure.caption()))
                    .append("\"><figcaption>").append(escape(figure.caption())).append("</figcaption></figure>\n");
        }
        return html.append("</div>\n</body>\n</html>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static float[] filled(int length, float value) {
        float[] data = new float[length];
        Arrays.fill(data, value);
        return data;
    }
}
