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
}
