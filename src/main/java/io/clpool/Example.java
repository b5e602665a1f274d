package io.clpool;

import io.clpool.opencl.DevicePoolResult;
import io.clpool.opencl.DeviceTensor;
import io.clpool.opencl.OpenClPooling;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;
import java.util.Arrays;

/**
 * The seed's example on the default OpenCL device: a 28×28 digit max-pooled 2×2 with stride 2
 * into 14×14, forward and backward, each compared with the plain-Java reference.
 */
public final class Example {
    private Example() {}

    public static void main(String[] args) {
        Tensor digit = drawDigit();
        PoolSpec spec = PoolSpec.of(2).withStride(2);
        Pooling reference = new ReferencePooling();
        PoolResult expected = reference.maxPool2d(digit, spec);
        Tensor ones = new Tensor(expected.values().shape(), filled(expected.values().data().length, 1f));
        Tensor expectedGrad = reference.maxPool2dBackward(ones, expected.indices(), digit.shape(), spec);

        try (OpenClPooling device = OpenClPooling.createDefault(Algorithm.IM2COL);
             DeviceTensor input = device.upload(digit);
             DevicePoolResult pooled = device.maxPool2d(input, spec);
             DeviceTensor gradOut = device.upload(ones);
             DeviceTensor grad = device.maxPool2dBackward(gradOut, pooled.indices(), digit.shape(), spec)) {
            PoolResult actual = pooled.download();
            boolean forwardEqual = Arrays.equals(floatBits(expected.values()), floatBits(actual.values()))
                    && Arrays.equals(expected.indices().data(), actual.indices().data());
            boolean backwardEqual = Arrays.equals(floatBits(expectedGrad), floatBits(grad.download()));
            System.out.println("device:   " + device.context().device().describe());
            System.out.println("forward:  " + digit.shape() + " -> " + actual.values().shape() + " (" + spec + ")");
            System.out.println(render(actual.values()));
            System.out.println("forward equals reference (values and indices, bit for bit): " + forwardEqual);
            System.out.println("backward equals reference (bit for bit): " + backwardEqual);
            if (!forwardEqual || !backwardEqual) {
                System.exit(1);
            }
        }
    }

    /** A handwritten-looking "3" drawn with soft strokes, values in [0, 1]. */
    static Tensor drawDigit() {
        int size = 28;
        float[] pixels = new float[size * size];
        for (int h = 0; h < size; h++) {
            for (int w = 0; w < size; w++) {
                double upper = Math.abs(Math.hypot(h - 9.0, (w - 13.0) * 0.9) - 5.5);
                double lower = Math.abs(Math.hypot(h - 18.5, (w - 13.5) * 0.85) - 6.0);
                boolean upperArc = upper < 1.6 && !(w < 12 && h > 8 && h < 12);
                boolean lowerArc = lower < 1.7 && !(w < 12 && h > 15 && h < 20);
                double ink = upperArc ? 1.6 - upper : lowerArc ? 1.7 - lower : 0;
                pixels[h * size + w] = (float) Math.min(1.0, ink);
            }
        }
        return new Tensor(Shape.of(1, 1, size, size), pixels);
    }

    private static String render(Tensor plane) {
        String ramp = " .:-=+*#%@";
        StringBuilder text = new StringBuilder();
        for (int h = 0; h < plane.shape().h(); h++) {
            text.append("  ");
            for (int w = 0; w < plane.shape().w(); w++) {
                float v = plane.get(0, 0, h, w);
                text.append(ramp.charAt(Math.min(ramp.length() - 1, (int) (v * (ramp.length() - 1) + 0.5f)))).append(' ');
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static float[] filled(int length, float value) {
        float[] data = new float[length];
        Arrays.fill(data, value);
        return data;
    }

    private static int[] floatBits(Tensor tensor) {
        return Arrays.stream(toDoubles(tensor.data())).mapToInt(d -> Float.floatToRawIntBits((float) d)).toArray();
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
