package io.clpool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clpool.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo writes valid PNG files of the promised sizes and a page that shows them. */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesThePicturesAndThePageOfTheDigit() throws IOException {
        Path out = dir.resolve("demo");
        CliRun run = CliRun.of("demo", "--device", "auto", "--out", out.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("1x1x28x28 -> 1x1x14x14"), run::toString);
        assertTrue(run.out().contains("forward equals reference:  equal (bit for bit)"), run::toString);
        assertTrue(run.out().contains("device time: "), run::toString);
        // 28 pixels enlarged 10 times, 14 pooled pixels 20 times: the same size on screen
        for (String name : new String[] {"input.png", "pooled.png", "argmax.png", "grad.png"}) {
            BufferedImage image = png(out.resolve(name));
            assertEquals(280, image.getWidth(), name);
            assertEquals(280, image.getHeight(), name);
        }
        String page = Files.readString(out.resolve("index.html"));
        for (String name : new String[] {"input.png", "pooled.png", "argmax.png", "grad.png"}) {
            assertTrue(page.contains("<img src=\"" + name + "\""), name);
        }
        assertTrue(page.contains("<figcaption>") && page.contains("forward vs reference: equal"), page);
    }

    @Test
    void theDigitLooksLikeInkOnPaper() {
        Tensor digit = DemoPictures.drawDigit();
        int ink = 0, dark = 0, soft = 0;
        for (float v : digit.data()) {
            assertTrue(v >= 0 && v <= 1, "values in [0, 1]");
            ink += v > 0.9f ? 1 : 0;
            dark += v == 0f ? 1 : 0;
            soft += v > 0.05f && v < 0.9f ? 1 : 0;
        }
        // MNIST digits: about a fifth of the pixels inked, most of the square black, anti-aliased edges
        assertTrue(ink > 60 && ink < 250, "inked pixels: " + ink);
        assertTrue(dark > 450, "background pixels: " + dark);
        assertTrue(soft > 30, "soft edge pixels: " + soft);
        for (int i = 0; i < 28; i++) {
            assertEquals(0f, digit.get(0, 0, 0, i), "a blank margin at the top");
            assertEquals(0f, digit.get(0, 0, i, 0), "a blank margin at the left");
        }
    }

    @Test
    void poolsAnImageInColourWithAnotherOp() throws IOException {
        BufferedImage picture = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 30; x++) {
                picture.setRGB(x, y, (x * 8) << 16 | (y * 12) << 8 | 0x40);
            }
        }
        Path file = dir.resolve("picture.png");
        ImageIO.write(picture, "png", file.toFile());
        Path out = dir.resolve("colour");
        CliRun run = CliRun.of("demo", "--device", "cpu", "--image", file.toString(), "--rgb", "--op", "avg", "--kernel", "3",
                "--out", out.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("1x3x20x30 -> 1x3x6x10"), run::toString);
        BufferedImage input = png(out.resolve("input.png"));
        assertEquals(270, input.getWidth()); // 30 pixels, 9 times
        assertEquals(180, input.getHeight());
        assertEquals(0x40, input.getRGB(0, 0) & 0xff, "the blue channel survives");
        BufferedImage pooled = png(out.resolve("pooled.png"));
        assertEquals(280, pooled.getWidth()); // 10 pixels, 28 times
        assertEquals(168, pooled.getHeight());
        assertFalse(Files.exists(out.resolve("argmax.png")), "average pooling has no argmax");
        assertFalse(Files.readString(out.resolve("index.html")).contains("argmax.png"));
    }

    private static BufferedImage png(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertEquals((byte) 0x89, bytes[0]);
        assertEquals("PNG", new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII), file + " is a PNG");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " decodes");
        return image;
    }
}
