package io.clpool.cli;

import io.clpool.IndexTensor;
import io.clpool.Tensor;
import io.clpool.spec.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** The demo's pictures: the embedded digit, images read from files, and tensors drawn as PNG pixels. */
final class DemoPictures {
    /** Pictures are enlarged, pixel for pixel, to about this many screen pixels on their long side. */
    static final int DISPLAY_SIZE = 280;

    private DemoPictures() {}

    /**
     * A 28×28 handwritten-style "2" in the manner of MNIST: white ink on black, values in [0, 1],
     * one pen stroke along a smooth curve, slanted, thicker where the pen pressed harder.
     */
    static Tensor drawDigit() {
        // The stroke's path through the 28×28 square: hook, belly, diagonal, a small loop, the base.
        double[][] path = {{8.2, 10.4}, {9.6, 7.0}, {13.0, 5.2}, {17.0, 6.0}, {19.0, 9.0}, {18.4, 12.6},
                {15.6, 16.0}, {12.2, 19.0}, {9.0, 21.6}, {7.6, 23.0}, {9.0, 23.2}, {11.6, 22.0}, {14.6, 21.8},
                {17.6, 22.4}, {20.4, 22.0}};
        int size = 28;
        float[] pixels = new float[size * size];
        int samples = 60 * (path.length - 1);
        double[] prev = null;
        for (int s = 0; s <= samples; s++) {
            double t = (double) s / samples;
            double[] point = catmullRom(path, t);
            point[0] += (14.0 - point[1]) * 0.12; // a right-leaning slant, as most hands write
            double radius = 1.05 + 0.45 * Math.sin(Math.PI * t) + 0.25 * Math.sin(7 * t); // pen pressure
            if (prev != null) {
                ink(pixels, size, prev, point, radius);
            }
            prev = point;
        }
        return new Tensor(Shape.of(1, 1, size, size), pixels);
    }

    /** A point of the Catmull-Rom spline through {@code points}, {@code t} in [0, 1]. */
    private static double[] catmullRom(double[][] points, double t) {
        int segments = points.length - 1;
        double position = Math.min(t * segments, segments - 1e-9);
        int i = (int) position;
        double u = position - i;
        double[] p0 = points[Math.max(i - 1, 0)], p1 = points[i], p2 = points[i + 1], p3 = points[Math.min(i + 2, segments)];
        double[] out = new double[2];
        for (int k = 0; k < 2; k++) {
            out[k] = 0.5 * (2 * p1[k] + (-p0[k] + p2[k]) * u + (2 * p0[k] - 5 * p1[k] + 4 * p2[k] - p3[k]) * u * u
                    + (-p0[k] + 3 * p1[k] - 3 * p2[k] + p3[k]) * u * u * u);
        }
        return out;
    }

    /** Darkens the pixels near segment a–b: full ink inside the pen, a soft one-pixel edge outside. */
    private static void ink(float[] pixels, int size, double[] a, double[] b, double radius) {
        for (int h = 0; h < size; h++) {
            for (int w = 0; w < size; w++) {
                double px = w + 0.5, py = h + 0.5;
                double dx = b[0] - a[0], dy = b[1] - a[1];
                double lengthSq = dx * dx + dy * dy;
                double along = lengthSq == 0 ? 0 : Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / lengthSq));
                double distance = Math.hypot(px - (a[0] + along * dx), py - (a[1] + along * dy));
                double value = Math.max(0, Math.min(1, radius + 0.5 - distance));
                value = value * value * (3 - 2 * value); // smoothstep: a soft edge like a scanned stroke
                int at = h * size + w;
                pixels[at] = (float) Math.max(pixels[at], value);
            }
        }
    }

    /**
     * An image's {width, height} from its header, without decoding it; a usage error when no
     * javax.imageio reader takes the file.
     */
    static int[] imageSize(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw UsageError.missingFile("--image", file);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw notAnImage(file);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } catch (IOException | RuntimeException e) {
                throw UsageError.badContent("--image", file, "has a header that javax.imageio cannot read: " + e.getMessage());
            } finally {
                reader.dispose();
            }
        }
    }

    private static UsageError notAnImage(Path file) {
        return UsageError.badContent("--image", file, "is not an image that javax.imageio reads (PNG, JPEG, GIF, BMP)");
    }

    /** An image file as a 1×1×H×W gray tensor, or 1×3×H×W with {@code rgb}; values in [0, 1]. */
    static Tensor readImage(Path file, boolean rgb) throws IOException {
        if (!Files.exists(file)) {
            throw UsageError.missingFile("--image", file);
        }
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
            throw notAnImage(file);
        }
        int height = image.getHeight(), width = image.getWidth();
        int channels = rgb ? 3 : 1;
        float[] data = new float[channels * height * width];
        for (int h = 0; h < height; h++) {
            for (int w = 0; w < width; w++) {
                int argb = image.getRGB(w, h);
                float r = (argb >> 16 & 0xff) / 255f, g = (argb >> 8 & 0xff) / 255f, b = (argb & 0xff) / 255f;
                if (rgb) {
                    data[h * width + w] = r;
                    data[height * width + h * width + w] = g;
                    data[2 * height * width + h * width + w] = b;
                } else {
                    data[h * width + w] = 0.299f * r + 0.587f * g + 0.114f * b; // ITU-R BT.601 luma
                }
            }
        }
        return new Tensor(Shape.of(1, channels, height, width), data);
    }

    /** The integer enlargement that brings {@code shape}'s long side near {@link #DISPLAY_SIZE}. */
    static int scaleFor(Shape shape) {
        return Math.max(1, DISPLAY_SIZE / Math.max(shape.h(), shape.w()));
    }

    /**
     * The first image of the batch as a picture, each tensor element a {@code scale}×{@code scale}
     * square (nearest neighbour). Three channels are drawn as RGB, otherwise the first as gray;
     * values map linearly from [lo, hi] to black..white, NaN to red.
     */
    static BufferedImage picture(Tensor tensor, float lo, float hi, int scale) {
        Shape shape = tensor.shape();
        boolean color = shape.c() == 3;
        BufferedImage image = new BufferedImage(shape.w() * scale, shape.h() * scale, BufferedImage.TYPE_INT_RGB);
        for (int h = 0; h < shape.h(); h++) {
            for (int w = 0; w < shape.w(); w++) {
                int rgb;
                if (color) {
                    rgb = level(tensor.get(0, 0, h, w), lo, hi) << 16 | level(tensor.get(0, 1, h, w), lo, hi) << 8
                            | level(tensor.get(0, 2, h, w), lo, hi);
                } else {
                    float v = tensor.get(0, 0, h, w);
                    int gray = level(v, lo, hi);
                    rgb = Float.isNaN(v) ? 0xff0000 : gray << 16 | gray << 8 | gray;
                }
                for (int y = 0; y < scale; y++) {
                    for (int x = 0; x < scale; x++) {
                        image.setRGB(w * scale + x, h * scale + y, rgb);
                    }
                }
            }
        }
        return image;
    }

    private static int level(float v, float lo, float hi) {
        if (Float.isNaN(v)) {
            return 0;
        }
        double unit = hi > lo ? (v - lo) / (hi - lo) : 0;
        return (int) Math.round(255 * Math.max(0, Math.min(1, unit)));
    }

    /** [min(0, smallest), max(1, largest)] over the finite values: pixel values keep their look. */
    static float[] range(Tensor tensor) {
        float lo = 0, hi = 1;
        for (float v : tensor.data()) {
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return new float[] {lo, hi};
    }

    /** The input with the elements that won some window at full brightness and the rest dimmed to a fifth. */
    static Tensor winners(Tensor input, IndexTensor indices) {
        Shape in = input.shape();
        boolean[] won = new boolean[input.data().length];
        int perPlane = (int) indices.shape().planeSize();
        for (int i = 0; i < indices.data().length; i++) {
            long plane = i / perPlane;
            won[(int) (plane * in.planeSize() + indices.data()[i])] = true;
        }
        float[] out = input.data().clone();
        for (int i = 0; i < out.length; i++) {
            if (!won[i]) {
                out[i] *= 0.2f;
            }
        }
        return new Tensor(in, out);
    }

    static void writePng(BufferedImage image, Path path) throws IOException {
        if (!ImageIO.write(image, "png", path.toFile())) {
            throw new IOException("no PNG writer in javax.imageio");
        }
    }
}
