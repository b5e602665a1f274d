package io.clpool.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A shape's layout: positions of logical elements in memory, the memory-order dimensions of a
 * file and back, names; the logical dimensions never change with the layout.
 */
class ShapeLayoutTest {
    private static final Shape PLANE = Shape.of(2, 3, 4, 5);
    private static final Shape VOLUME = Shape.of(2, 3, 4, 5, 6);

    @Test
    void positionsAreChannelsFirstOrChannelsLast() {
        assertEquals(((1L * 3 + 2) * 4 + 3) * 5 + 4, PLANE.position(1, 2, 3, 4));
        Shape nhwc = PLANE.channelsLast();
        assertEquals(((1L * 4 + 3) * 5 + 4) * 3 + 2, nhwc.position(1, 2, 3, 4));
        assertEquals(nhwc.position(1, 2, 3, 4), nhwc.position(1, 2, 3L * 5 + 4), "through the in-plane offset");
        assertEquals(0, nhwc.position(0, 0, 0, 0));
        assertEquals(1, nhwc.position(0, 1, 0, 0), "the channels of a position are adjacent");
        assertEquals(3, nhwc.position(0, 0, 0, 1), "the next position follows all C channels");

        Shape ndhwc = VOLUME.channelsLast();
        long at = (3L * 5 + 4) * 6 + 5; // d = 3, h = 4, w = 5
        assertEquals(((1L * 3 + 2) * 120) + at, VOLUME.position(1, 2, at));
        assertEquals((1L * 120 + at) * 3 + 2, ndhwc.position(1, 2, at));
    }

    @Test
    void channelsLastPositionsCoverMemoryOnceEach() {
        for (Shape shape : new Shape[] {PLANE.channelsLast(), VOLUME.channelsLast(), Shape.of(1, 1, 1, 7).channelsLast()}) {
            boolean[] seen = new boolean[(int) shape.elementCount()];
            for (int n = 0; n < shape.n(); n++) {
                for (int c = 0; c < shape.c(); c++) {
                    for (long at = 0; at < shape.planeSize(); at++) {
                        int p = (int) shape.position(n, c, at);
                        assertFalse(seen[p], shape + " position " + p + " twice");
                        seen[p] = true;
                    }
                }
            }
        }
    }

    @Test
    void memoryDimsAreAFilesShapeAndReadBack() {
        assertArrayEquals(new long[] {2, 3, 4, 5}, PLANE.memoryDims());
        assertArrayEquals(new long[] {2, 4, 5, 3}, PLANE.channelsLast().memoryDims());
        assertArrayEquals(new long[] {2, 4, 5, 6, 3}, VOLUME.channelsLast().memoryDims());
        assertArrayEquals(new long[] {2, 3, 4, 5}, PLANE.channelsLast().toLongArray(), "logical dimensions whatever the layout");
        for (Shape shape : new Shape[] {PLANE, VOLUME, PLANE.channelsLast(), VOLUME.channelsLast()}) {
            assertEquals(shape, Shape.fromMemoryDims(shape.memoryDims(), shape.layout()), shape.toString());
        }
        Shape nhwc = Shape.fromMemoryDims(new long[] {1, 28, 24, 3}, Layout.CHANNELS_LAST);
        assertEquals(new Shape(1, 3, 1, 28, 24, 2, Layout.CHANNELS_LAST), nhwc);
        assertEquals(Shape.of(1, 28, 24, 3), Shape.fromMemoryDims(new long[] {1, 28, 24, 3}, Layout.CHANNELS_FIRST));
        assertThrows(IllegalArgumentException.class, () -> Shape.fromMemoryDims(new long[] {28, 24, 3}, Layout.CHANNELS_LAST));
        assertThrows(IllegalArgumentException.class, () -> Shape.fromMemoryDims(new long[] {1, 28, 0, 3}, Layout.CHANNELS_LAST));
    }

    @Test
    void theLayoutIsPartOfTheShape() {
        assertNotEquals(PLANE, PLANE.channelsLast());
        assertEquals(PLANE, PLANE.channelsLast().withLayout(Layout.CHANNELS_FIRST));
        assertTrue(PLANE.channelsLast().isChannelsLast());
        assertFalse(PLANE.isChannelsLast());
        assertEquals(PLANE.elementCount(), PLANE.channelsLast().elementCount());
        Shape nhwc = PLANE.channelsLast();
        assertEquals(Layout.CHANNELS_LAST, nhwc.withSpatial(7, 8).layout());
        assertEquals(Layout.CHANNELS_LAST, nhwc.withBatch(9).layout());
        assertEquals(Layout.CHANNELS_LAST, VOLUME.channelsLast().withSpatial(1, 2, 3).layout());
    }

    @Test
    void namesGiveTheLogicalDimensionsThenTheMemoryOrder() {
        assertEquals("2x3x4x5", PLANE.toString());
        assertEquals("2x3x4x5 (NHWC)", PLANE.channelsLast().toString());
        assertEquals("2x3x4x5x6", VOLUME.toString());
        assertEquals("2x3x4x5x6 (NDHWC)", VOLUME.channelsLast().toString());
        assertEquals("NCHW", Layout.CHANNELS_FIRST.order(2));
        assertEquals("NCDHW", Layout.CHANNELS_FIRST.order(3));
    }
}
