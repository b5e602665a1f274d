package io.clpool.cli;

import io.clpool.spec.Shape;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsing of the flags whose values are lists of integers: the one place for {@code K|KH,KW}. */
final class Flags {
    private Flags() {}

    /** A per-axis value, height then width: {@code 3} means 3×3, {@code 2,3} means 2×3. */
    record IntPair(int h, int w) {
        @Override
        public String toString() {
            return h + "," + w;
        }
    }

    /** {@code K} or {@code KH,KW}. */
    static final class IntPairConverter implements ITypeConverter<IntPair> {
        @Override
        public IntPair convert(String text) {
            int[] values = ints(text, "an integer or two separated by a comma (e.g. 3 or 2,3)", 1, 2);
            return values.length == 1 ? new IntPair(values[0], values[0]) : new IntPair(values[0], values[1]);
        }
    }

    /** {@code N,C,H,W}. */
    static final class ShapeConverter implements ITypeConverter<Shape> {
        @Override
        public Shape convert(String text) {
            int[] v = ints(text, "four positive integers N,C,H,W (e.g. 1,3,28,28)", 4);
            try {
                return Shape.of(v[0], v[1], v[2], v[3]);
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
