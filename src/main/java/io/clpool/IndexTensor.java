package io.clpool;

import io.clpool.spec.Checks;
import io.clpool.spec.Shape;

/**
 * Winning-tap indices of an indexed pooling, one int32 per output element: the logical offset
 * {@code h·W + w} inside the input plane, or {@code d·H·W + h·W + w} inside the input volume of a
 * 5-D input (PyTorch's convention), stored in the shape's layout.
 */
public record IndexTensor(Shape shape, int[] data) {

    public IndexTensor {
        Checks.requireNonNull(shape, "shape");
        Checks.requireNonNull(data, "data");
        if (data.length != shape.elementCount()) {
            throw Checks.invalid("the index data length", "the shape's element count " + shape.elementCount() + " for " + shape,
                    "length: " + data.length);
        }
    }

    /** The same indices with their positions in {@code layout} (these when they already are); values are unchanged. */
    public IndexTensor withLayout(io.clpool.spec.Layout layout) {
        if (layout == shape.layout()) {
            return this;
        }
        Shape target = shape.withLayout(layout);
        int[] result = new int[data.length];
        long planeSize = shape.planeSize();
        for (int n = 0; n < shape.n(); n++) {
            for (int c = 0; c < shape.c(); c++) {
                for (long at = 0; at < planeSize; at++) {
                    result[(int) target.position(n, c, at)] = data[(int) shape.position(n, c, at)];
                }
            }
        }
        return new IndexTensor(target, result);
    }
}
