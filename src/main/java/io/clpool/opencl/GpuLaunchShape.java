package io.clpool.opencl;

import java.util.Arrays;

/**
 * The launch shape of direct.cl's GPU-family block kernels (work-items over blocks of columns,
 * rows and planes), and the system properties that override it for benchmarks:
 * {@value #ROWS_PROPERTY} (rows per work-item: 1, 2, 4 or 8), {@value #TILE_PROPERTY}
 * ({@code WxH} work-items per group), {@value #FLAT_PROPERTY} (which kernels take the flat range,
 * see {@link #of}: {@code none}, {@code blocks} (the column and block-gather kernels, the
 * default), {@code bands} or {@code all}). The defaults are what an H200 measured fastest
 * (DirectKernels.gpuRowsPerItem; README, Performance).
 */
final class GpuLaunchShape {
    static final String ROWS_PROPERTY = "clpool.gpu.rows";
    static final String TILE_PROPERTY = "clpool.gpu.tile";
    static final String FLAT_PROPERTY = "clpool.gpu.flat";

    /** Work-items per group of the block launches (the H100 probe's 32×8). */
    static final int GROUP_ITEMS = 256;

    private GpuLaunchShape() {}

    /** A launch's global and local sizes. */
    record Range(long[] global, long[] local) {}

    /** {@value #ROWS_PROPERTY}'s value, or null when it is not set. */
    static Integer rows() {
        return choice(ROWS_PROPERTY, 1, 2, 4, 8);
    }

    /** Whether the column and block-gather kernels take the flat range (direct.cl's FLAT_BLOCKS). */
    static boolean flatBlocks() {
        String flat = flat();
        return flat.equals("blocks") || flat.equals("all");
    }

    /** Whether the band kernels take the flat range (direct.cl's FLAT_BANDS). */
    static boolean flatBands() {
        String flat = flat();
        return flat.equals("bands") || flat.equals("all");
    }

    private static String flat() {
        String flat = property(FLAT_PROPERTY);
        if (flat == null) {
            return "blocks";
        }
        return switch (flat) {
            case "none", "blocks", "bands", "all" -> flat;
            default -> throw new IllegalArgumentException(FLAT_PROPERTY + " should be none, blocks, bands or all, but got '" + flat + "'");
        };
    }

    /**
     * The range over {@code columns × rows × planes} blocks. Tiled: work-groups of one preferred
     * multiple (the warp: 32 on NVIDIA) of columns by as many rows as make {@value #GROUP_ITEMS}
     * work-items, within the kernel's limit, or {@value #TILE_PROPERTY}; columns and rows rounded up
     * to whole groups. Flat: dimension 0 holds G whole rows of blocks, G the least that makes it a
     * multiple of the warp (1 where that would pass an int: direct.cl divides in 32 bits), so no
     * warp idles at a row's end; direct.cl's BLOCK_ORIGIN recovers G as the range's width over the
     * columns, and groups are the largest divisor of that width within {@value #GROUP_ITEMS}.
     */
    static Range of(ClKernel kernel, boolean flat, long columns, long rows, long planes) {
        long limit = Math.max(1, kernel.maxWorkGroupSize());
        long warp = Math.max(1, Math.min(kernel.preferredWorkGroupMultiple(), limit));
        if (flat) {
            long group = warp / gcd(columns, warp);
            if (columns * group > Integer.MAX_VALUE) {
                group = 1;
            }
            long width = columns * group;
            long local = 1;
            for (long d = Math.min(width, Math.min(limit, GROUP_ITEMS)); d >= 1; d--) {
                if (width % d == 0) {
                    local = d;
                    break;
                }
            }
            return new Range(new long[] {width, ceilDiv(rows, group), planes}, new long[] {local, 1, 1});
        }
        long[] tile = tile(warp, limit);
        return new Range(new long[] {ceilToMultiple(columns, tile[0]), ceilToMultiple(rows, tile[1]), planes},
                new long[] {tile[0], tile[1], 1});
    }

    private static long[] tile(long warp, long limit) {
        String forced = property(TILE_PROPERTY);
        if (forced != null) {
            String[] parts = forced.split("x");
            try {
                long w = Long.parseLong(parts[0]);
                long h = parts.length == 2 ? Long.parseLong(parts[1]) : -1;
                if (w >= 1 && h >= 1 && w * h <= limit) {
                    return new long[] {w, h};
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(TILE_PROPERTY + " should be WxH with W·H at most " + limit + ", but got '" + forced + "'");
        }
        return new long[] {warp, Math.max(1, Math.min(limit, GROUP_ITEMS) / warp)};
    }

    private static boolean flag(String name) {
        String value = property(name);
        if (value == null) {
            return false;
        }
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + " should be true or false, but got '" + value + "'");
        };
    }

    /**
     * {@code name}'s value among 1, 2 and 4 (the columns of a block per work-item), or null when it
     * is not set: the one parser of the column settings (DirectKernels', VolumeKernels').
     */
    static Integer columns(String name) {
        return choice(name, 1, 2, 4);
    }

    /**
     * {@code name}'s value, one of {@code allowed}, or null when it is not set; any other value is
     * refused, naming the property, the values it takes and the value it got.
     */
    private static Integer choice(String name, int... allowed) {
        String value = property(name);
        if (value == null) {
            return null;
        }
        for (int candidate : allowed) {
            if (value.equals(Integer.toString(candidate))) {
                return candidate;
            }
        }
        String[] names = Arrays.stream(allowed).mapToObj(Integer::toString).toArray(String[]::new);
        String choices = String.join(", ", Arrays.copyOf(names, names.length - 1)) + " or " + names[names.length - 1];
        throw new IllegalArgumentException(name + " should be " + choices + ", but got '" + value + "'");
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static long ceilToMultiple(long value, long multiple) {
        return ceilDiv(value, multiple) * multiple;
    }
}
