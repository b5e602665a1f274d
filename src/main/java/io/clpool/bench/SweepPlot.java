package io.clpool.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A headless line chart of a size sweep: effective GB/s against the bytes a forward plus its
 * backward move (log scale), one line per algorithm, window and direction, and the device's copy
 * bandwidth measured in the same runs.
 */
final class SweepPlot {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 620;
    private static final int LEFT = 80;
    private static final int RIGHT = 300;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private SweepPlot() {}

    static void write(List<Benchmark.Result> results, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Benchmark.Result r : results) {
            String window = r.spec().kernelH() + "x" + r.spec().kernelW() + " s" + r.spec().strideH()
                    + (r.spec().padH() > 0 ? " p" + r.spec().padH() : "");
            if (r.dtype() != io.clpool.spec.DType.FLOAT32 || r.shape().isChannelsLast()) {
                window += " " + r.dtype().label() + " " + r.layout();
            }
            double x = r.workingSetBytes() / 1e6;
            add(series, "copy (same runs)", x, r.copyGbps());
            add(series, r.algorithm() + " " + r.op() + " " + window + " forward", x, r.forwardGbps());
            add(series, r.algorithm() + " " + r.op() + " " + window + " backward", x, r.backwardGbps());
        }
        double xMin = Double.MAX_VALUE;
        double xMax = 0;
        double yMax = 1;
        for (List<double[]> points : series.values()) {
            points.sort(Comparator.comparingDouble(p -> p[0]));
            for (double[] p : points) {
                xMin = Math.min(xMin, p[0]);
                xMax = Math.max(xMax, p[0]);
                yMax = Math.max(yMax, p[1]);
            }
        }
        if (xMax <= xMin) {
            xMax = xMin * 10 + 1;
        }
        yMax = Math.ceil(yMax * 1.1 / 5) * 5;
        double lx0 = Math.log10(xMin) - 0.05;
        double lx1 = Math.log10(xMax) + 0.05;

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(new Color(0xdddddd));
        for (int i = 0; i <= 5; i++) {
            int y = TOP + plotH - (int) (plotH * i / 5.0);
            g.drawLine(LEFT, y, LEFT + plotW, y);
        }
        for (int decade = (int) Math.ceil(lx0); decade <= lx1; decade++) {
            int x = LEFT + (int) (plotW * (decade - lx0) / (lx1 - lx0));
            g.drawLine(x, TOP, x, TOP + plotH);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        for (int i = 0; i <= 5; i++) {
            int y = TOP + plotH - (int) (plotH * i / 5.0);
            g.drawString(String.format(Locale.ROOT, "%.0f", yMax * i / 5), LEFT - 35, y + 4);
        }
        for (int decade = (int) Math.ceil(lx0); decade <= lx1; decade++) {
            int x = LEFT + (int) (plotW * (decade - lx0) / (lx1 - lx0));
            g.drawString(String.format(Locale.ROOT, "%s MB", decade >= 0 ? String.valueOf((long) Math.pow(10, decade))
                    : String.valueOf(Math.pow(10, decade))), x - 15, TOP + plotH + 18);
        }
        g.drawString("bytes moved by forward + backward (log scale)", LEFT + plotW / 2 - 130, HEIGHT - 25);
        g.rotate(-Math.PI / 2);
        g.drawString("effective GB/s (read + write)", -(TOP + plotH / 2 + 80), 25);
        g.rotate(Math.PI / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        String device = results.isEmpty() ? "" : results.get(0).device();
        g.drawString("clpool pooling bandwidth vs size" + (device.isEmpty() ? "" : ": " + device.replaceAll(" \\(.*", "")),
                LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        int s = 0;
        int legendY = TOP + 10;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            boolean copy = e.getKey().startsWith("copy");
            Color color = copy ? Color.GRAY : COLORS[s++ % COLORS.length];
            boolean dashed = e.getKey().endsWith("backward");
            g.setColor(color);
            g.setStroke(dashed ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(copy ? 3f : 2f));
            int[] prev = null;
            for (double[] p : e.getValue()) {
                if (Double.isNaN(p[1])) {
                    prev = null;
                    continue;
                }
                int x = LEFT + (int) (plotW * (Math.log10(p[0]) - lx0) / (lx1 - lx0));
                int y = TOP + plotH - (int) (plotH * p[1] / yMax);
                g.fillOval(x - 3, y - 3, 7, 7);
                if (prev != null && !copy) { // the copy is one measurement per case: points, no line
                    g.drawLine(prev[0], prev[1], x, y);
                }
                prev = new int[] {x, y};
            }
            g.drawLine(LEFT + plotW + 15, legendY - 4, LEFT + plotW + 45, legendY - 4);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), LEFT + plotW + 50, legendY);
            legendY += 18;
        }
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private static void add(Map<String, List<double[]>> series, String key, double x, double y) {
        series.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {x, y});
    }
}
