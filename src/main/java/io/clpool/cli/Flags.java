package io.clpool.cli;

import io.clpool.spec.DType;
import io.clpool.spec.Shape;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parsing of the flags whose values are lists of integers: the one place for {@code K|KH,KW|KD,KH,KW}.
 * How many values a window flag may have depends on the input's rank, known only once its header
 * is read; {@link InputRank#perAxis} checks the count then.
 */
final class Flags {
    private Flags() {}

    /**
     * A window flag's values as given: one for every spatial axis, or one per axis in the
     * input's order ({@code L}; {@code H,W}; {@code D,H,W}). {@code 3} means 3 on every axis.
     */
    record PerAxis(int[] values) {
        PerAxis {
            values = values.clone();
        }

        static PerAxis of(int... values) {
            return new PerAxis(values);
        }

        int count() {
            return values.length;
        }

        int get(int i) {
            return values[i];
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof PerAxis p && Arrays.equals(values, p.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
        }
    }

    /** {@code K}, {@code KH,KW} or {@code KD,KH,KW}: one to three integers. */
    static final class PerAxisConverter implements ITypeConverter<PerAxis> {
        @Override
        public PerAxis convert(String text) {
            return new PerAxis(ints(text, "one integer, or one per spatial axis separated by commas (e.g. 3, 2,3 or 1,2,3)", 1, 2, 3));
        }
    }

    /** {@code N,C,L}, {@code N,C,H,W} or {@code N,C,D,H,W}: a whole shape, whose rank the command checks against its input. */
    static final class DimsConverter implements ITypeConverter<PerAxis> {
        @Override
        public PerAxis convert(String text) {
            int[] v = ints(text, "three to five positive integers N,C,L, N,C,H,W or N,C,D,H,W (e.g. 1,3,28,28)", 3, 4, 5);
            for (int d : v) {
                if (d <= 0) {
                    throw new TypeConversionException("'" + text + "' should be three to five positive integers N,C,L, N,C,H,W or N,C,D,H,W");
                }
            }
            return new PerAxis(v);
        }
    }

    /** {@code N,C,H,W} or {@code N,C,D,H,W}. */
    static final class ShapeConverter implements ITypeConverter<Shape> {
        @Override
        public Shape convert(String text) {
            int[] v = ints(text, "four or five positive integers N,C,H,W or N,C,D,H,W (e.g. 1,3,28,28)", 4, 5);
            try {
                return v.length == 4 ? Shape.of(v[0], v[1], v[2], v[3]) : Shape.of(v[0], v[1], v[2], v[3], v[4]);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code max|min|avg|lp|adaptive-max|adaptive-avg}. */
    static final class OpConverter implements ITypeConverter<Op> {
        @Override
        public Op convert(String text) {
            return Op.fromFlag(text);
        }
    }

    /** {@code float32|float16|bfloat16|float64}: the type a command computes and stores its tensors in. */
    static final class DTypeConverter implements ITypeConverter<DType> {
        @Override
        public DType convert(String text) {
            String name = text.trim().toLowerCase(java.util.Locale.ROOT);
            for (DType type : DType.values()) {
                if (type.label().equals(name)) {
                    return type;
                }
            }
            throw new TypeConversionException("'" + text + "' should be float32, float16, bfloat16 or float64");
        }
    }

    private static int[] ints(String text, String expected, int... allowedCounts) {
        String[] parts = text.split(",", -1);
        boolean countAllowed = false;
        for (int count : allowedCounts) {
            countAllowed |= parts.length == count;
        }
        if (!countAllowed) {
            throw new TypeConversionException("'" + text + "' should be " + expected);
        }
        int[] values = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                values[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + text + "' should be " + expected);
            }
        }
        return values;
    }
}
