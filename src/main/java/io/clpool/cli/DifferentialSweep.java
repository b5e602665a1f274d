package io.clpool.cli;

import io.clpool.IndexTensor;
import io.clpool.PoolOp;
import io.clpool.Pooling;
import io.clpool.Tensor;
import io.clpool.spec.AvgOptions;
import io.clpool.spec.DType;
import io.clpool.spec.Layout;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random pooling cases, every op and odd shapes, with the inputs the semantics care about (NaN,
 * ±inf, ties, all-negative), each run forward and backward on a backend and on the reference.
 * The ops named with a {@code 3d} suffix pool 5-D (N×C×D×H×W) inputs over three axes; the others
 * pool 4-D ones. Every case has a {@link Format}, a type and a layout: its input and gradient are
 * drawn in float32, rounded to the type and stored in the layout, and both backends compute on
 * them as they are. A fixed seed gives the same cases every time.
 */
final class DifferentialSweep {
    /** What a case's input is drawn from. */
    enum Flavour { NORMAL, TIES, SPECIAL, NEGATIVE, CONSTANT }

    /**
     * The ops a case can have: those of {@code --op}, and unpooling, on 4-D inputs; then those with
     * a 3-D form on 5-D inputs (3-D fractional max is not swept here, Fractional3dTest and
     * FormatsDifferentialTest cover it).
     */
    static final List<String> OPS = List.of("max", "min", "avg", "lp", "adaptive-max", "adaptive-avg", "fractional-max", "unpool",
            "max3d", "min3d", "avg3d", "lp3d", "adaptive-max3d", "adaptive-avg3d", "unpool3d");

    private static final String VOLUMETRIC = "3d";

    private static final int[] SIZES = {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 28, 33};
    /** Sizes of each axis of a 5-D case: odd and small, so that a volume stays a few thousand elements. */
    private static final int[] SIZES_3D = {1, 2, 3, 4, 5, 7, 8, 9, 13};
    private static final double[] NORMS = {1, 2, 3, 1.5};

    /** The type a case's tensors are stored in and their layout. */
    record Format(DType dtype, Layout layout) {
        static final Format PLAIN = new Format(DType.FLOAT32, Layout.CHANNELS_FIRST);

        /** How reports name it: {@code float16 NHWC}; NCDHW and NDHWC for 5-D shapes. */
        String describe(int spatialAxes) {
            return dtype.label() + " " + layout.order(spatialAxes);
        }

        /** How per-format counts name it: {@code float16 channels-last}. */
        @Override
        public String toString() {
            return dtype.label() + (layout == Layout.CHANNELS_LAST ? " channels-last" : " channels-first");
        }
    }

    /**
     * The formats a default sweep adds a case of per op, after its float32 channels-first cases:
     * channels last in float32, float16 and bfloat16 in both layouts.
     */
    static final List<Format> OTHER_FORMATS = List.of(new Format(DType.FLOAT32, Layout.CHANNELS_LAST),
            new Format(DType.FLOAT16, Layout.CHANNELS_FIRST), new Format(DType.BFLOAT16, Layout.CHANNELS_FIRST),
            new Format(DType.FLOAT16, Layout.CHANNELS_LAST), new Format(DType.BFLOAT16, Layout.CHANNELS_LAST));

    /**
     * One case: the request (for unpool: the max pooling whose indices are unpooled), input shape
     * (logical, in the format's layout), flavour and seed of its data, and its format.
     */
    record Case(int number, String op, PoolingRequest request, Shape shape, Flavour flavour, long seed, Format format) {
        Case {
            shape = shape.withLayout(format.layout());
        }

        @Override
        public String toString() {
            return "#" + number + " " + (isUnpool(op) ? "unpool of " + request : request.toString())
                    + " input " + shape.withLayout(Layout.CHANNELS_FIRST) + " " + format.describe(shape.spatialAxes()) + " "
                    + flavour.name().toLowerCase(java.util.Locale.ROOT) + " seed=" + seed;
        }
    }

    private DifferentialSweep() {}

    /** {@code count} float32 channels-first cases cycling through {@code ops}, drawn from {@code seed}. */
    static List<Case> cases(int count, long seed, List<String> ops) {
        return cases(count, seed, ops, Format.PLAIN);
    }

    /**
     * {@code count} cases in {@code format} cycling through {@code ops}, drawn from {@code seed}: the
     * same draws in every format, with one channel more channels last (where one channel would lie
     * as channels first does).
     */
    static List<Case> cases(int count, long seed, List<String> ops, Format format) {
        return draw(count, 0, new Random(seed), ops, i -> format);
    }

    /**
     * The default sweep: {@code count} float32 channels-first cases as {@link #cases(int, long, List)},
     * then one case per op in each of {@link #OTHER_FORMATS}, numbered on from there.
     */
    static List<Case> withOtherFormats(int count, long seed, List<String> ops) {
        List<Case> cases = new ArrayList<>(cases(count, seed, ops));
        cases.addAll(draw(OTHER_FORMATS.size() * ops.size(), count, new Random(~seed), ops,
                i -> OTHER_FORMATS.get(i / ops.size())));
        return cases;
    }

    /** {@code count} cases numbered from {@code first + 1}, the i-th (from 0) of op {@code i % ops.size()} in {@code formats.apply(i)}. */
    private static List<Case> draw(int count, int first, Random random, List<String> ops,
                                   java.util.function.IntFunction<Format> formats) {
        List<Case> cases = new ArrayList<>();
        Flavour[] flavours = Flavour.values();
        for (int i = 0; i < count; i++) {
            String op = ops.get(i % ops.size());
            Flavour flavour = flavours[random.nextInt(flavours.length)];
            while (true) { // draw until the spec fits the shape
                Format format = formats.apply(i);
                int n = 1 + random.nextInt(2);
                int c = 1 + random.nextInt(3) + (format.layout() == Layout.CHANNELS_LAST ? 1 : 0); // channels last with C = 1 is channels first
                Shape shape = op.endsWith(VOLUMETRIC)
                        ? Shape.of(n, c, SIZES_3D[random.nextInt(SIZES_3D.length)],
                                SIZES_3D[random.nextInt(SIZES_3D.length)], SIZES_3D[random.nextInt(SIZES_3D.length)])
                        : Shape.of(n, c, SIZES[random.nextInt(SIZES.length)], SIZES[random.nextInt(SIZES.length)]);
                PoolingRequest request = shape.volumetric() ? request3d(op.substring(0, op.length() - VOLUMETRIC.length()), shape, random)
                        : request(op, shape, random);
                try {
                    request.outputShape(shape);
                } catch (IllegalArgumentException tooSmall) {
                    continue;
                }
                cases.add(new Case(first + i + 1, op, request, shape, flavour, random.nextLong(), format));
                break;
            }
        }
        return cases;
    }

    /** Whether {@code op} is unpooling, 2-D or 3-D: the case unpools the indices of a max pooling. */
    static boolean isUnpool(String op) {
        return op.equals("unpool") || op.equals("unpool" + VOLUMETRIC);
    }

    private static PoolingRequest request(String op, Shape shape, Random random) {
        if (op.startsWith("adaptive")) {
            int[] size = {1 + random.nextInt(Math.min(2 * shape.h(), 9)), 1 + random.nextInt(Math.min(2 * shape.w(), 9))};
            return new PoolingRequest(Op.fromFlag(op).toPoolOp(null, null, 0, size));
        }
        if (op.equals("fractional-max")) { // a kernel that fits, outputs that leave room to place its windows
            int kh = 1 + random.nextInt(Math.min(shape.h(), 4));
            int kw = 1 + random.nextInt(Math.min(shape.w(), 4));
            int[] size = {1 + random.nextInt(shape.h() - kh + 1), 1 + random.nextInt(shape.w() - kw + 1)};
            return new PoolingRequest(Op.FRACTIONAL_MAX.toPoolOp(PoolSpec.of(kh, kw), null, 0, size,
                    io.clpool.spec.FractionalSamples.seeded(random.nextLong())));
        }
        Op kind = isUnpool(op) ? Op.MAX : Op.fromFlag(op);
        int kh = 1 + random.nextInt(5);
        int kw = random.nextBoolean() ? kh : 1 + random.nextInt(5);
        PoolSpec spec = PoolSpec.of(kh, kw);
        if (random.nextInt(3) > 0) {
            spec = spec.withStride(1 + random.nextInt(3), 1 + random.nextInt(3));
        }
        boolean padded = !kind.equals(Op.LP) && random.nextBoolean();
        if (padded) {
            spec = spec.withPadding(random.nextInt(kh / 2 + 1), random.nextInt(kw / 2 + 1));
        }
        if ((kind.equals(Op.MAX) || kind.equals(Op.MIN)) && random.nextInt(4) == 0) {
            spec = spec.withDilation(1 + random.nextInt(2), 1 + random.nextInt(2));
        }
        spec = spec.withCeilMode(random.nextBoolean());
        AvgOptions avg = new AvgOptions(random.nextBoolean(), random.nextInt(4) == 0 ? 1 + random.nextInt(9) : 0);
        return new PoolingRequest(kind.toPoolOp(spec, avg, NORMS[random.nextInt(NORMS.length)], null));
    }

    /** A 3-D case of {@code op} (without its suffix) on a 5-D {@code shape}: windows with a kernel per axis, 1 to 3. */
    private static PoolingRequest request3d(String op, Shape shape, Random random) {
        int[] dims = {shape.d(), shape.h(), shape.w()};
        if (op.startsWith("adaptive")) {
            int[] size = new int[3];
            for (int a = 0; a < 3; a++) {
                size[a] = 1 + random.nextInt(Math.min(2 * dims[a], 6));
            }
            return new PoolingRequest(Op.fromFlag(op).toPoolOp(null, null, 0, size));
        }
        Op kind = isUnpool(op) ? Op.MAX : Op.fromFlag(op);
        int[] k = new int[3], s = new int[3], p = new int[3], d = {1, 1, 1};
        boolean cubic = random.nextBoolean();
        boolean strided = random.nextInt(3) > 0;
        boolean padded = !kind.equals(Op.LP) && random.nextBoolean();
        boolean dilated = (kind.equals(Op.MAX) || kind.equals(Op.MIN)) && random.nextInt(4) == 0;
        for (int a = 0; a < 3; a++) {
            k[a] = cubic && a > 0 ? k[0] : 1 + random.nextInt(3);
            s[a] = strided ? 1 + random.nextInt(3) : k[a];
            p[a] = padded ? random.nextInt(k[a] / 2 + 1) : 0;
            d[a] = dilated ? 1 + random.nextInt(2) : 1;
        }
        PoolSpec spec = new PoolSpec(k[0], k[1], k[2], s[0], s[1], s[2], p[0], p[1], p[2], d[0], d[1], d[2], random.nextBoolean(), 3);
        AvgOptions avg = new AvgOptions(random.nextBoolean(), random.nextInt(4) == 0 ? 1 + random.nextInt(9) : 0);
        return new PoolingRequest(kind.toPoolOp(spec, avg, NORMS[random.nextInt(NORMS.length)], null));
    }

    /** The case's input: drawn in float32 (channels first), rounded to its type, stored in its layout. */
    static Tensor input(Case c) {
        Random random = new Random(c.seed());
        float[] data = new float[c.shape().elementCountAsInt()];
        for (int i = 0; i < data.length; i++) {
            data[i] = switch (c.flavour()) {
                case NORMAL -> (float) random.nextGaussian();
                case TIES -> random.nextInt(3) - 1;
                case SPECIAL -> switch (random.nextInt(12)) {
                    case 0 -> Float.NaN;
                    case 1 -> Float.POSITIVE_INFINITY;
                    case 2 -> Float.NEGATIVE_INFINITY;
                    default -> (float) random.nextGaussian();
                };
                case NEGATIVE -> -1f - (float) Math.abs(random.nextGaussian());
                case CONSTANT -> -0.5f;
            };
        }
        return Tensor.rounded(c.shape().withLayout(Layout.CHANNELS_FIRST), data, c.format().dtype()).withLayout(c.format().layout());
    }

    /** A gradient of {@code shape} (in its layout) in {@code dtype}. */
    private static Tensor gradient(Shape shape, long seed, DType dtype) {
        Random random = new Random(seed ^ 0x9E3779B97F4A7C15L);
        float[] data = new float[shape.elementCountAsInt()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return Tensor.rounded(shape, data, dtype);
    }

    /**
     * Runs one case on {@code backend} and {@code reference}; null when every result agrees, else
     * the first difference, or the exception the backend threw.
     */
    static String run(Case c, Pooling backend, Pooling reference) {
        Tensor x = input(c);
        PoolingRequest request = c.request();
        PoolingRequest.Forward expected = request.forward(reference, x);
        Tensor gy = gradient(expected.values().shape(), c.seed(), x.dtype());
        try {
            if (isUnpool(c.op())) {
                return unpool(x, expected, backend, reference);
            }
            PoolingRequest.Forward actual = request.forward(backend, x);
            String problem = Comparison.forward(request, x, expected, actual);
            if (problem != null) {
                return problem;
            }
            Tensor expectedGrad = request.backward(reference, gy, x, expected.indices());
            Tensor actualGrad = request.backward(backend, gy, x, actual.indices());
            return Comparison.gradient(request, gy, x, expected, expectedGrad, actualGrad);
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** Unpools a max pooling's values back to the input's shape, and the backward of that. */
    private static String unpool(Tensor x, PoolingRequest.Forward pooled, Pooling backend, Pooling reference) {
        IndexTensor idx = pooled.indices();
        Shape to = x.shape();
        PoolOp unpool = to.volumetric() ? PoolOp.maxUnpool3d(to.d(), to.h(), to.w()) : PoolOp.maxUnpool(to.h(), to.w());
        Tensor expected = reference.forward(unpool, pooled.values(), idx).values();
        String problem = Comparison.exact(expected, backend.forward(unpool, pooled.values(), idx).values(), "unpool");
        if (problem != null) {
            return problem;
        }
        Tensor gy = gradient(x.shape(), x.shape().elementCountAsInt(), x.dtype());
        return Comparison.exact(reference.backward(unpool, gy, pooled.values(), null, idx),
                backend.backward(unpool, gy, pooled.values(), null, idx), "unpool backward");
    }
}
