package io.berth.core.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Writes the allocation curve (CSV and SVG) and formats the RESULT line. */
final class ReplayReport {
    private ReplayReport() {}

    static String resultLine(String tasksFile, String policy, List<ReplayRun> runs) {
        double[] un = runs.stream().mapToDouble(ReplayRun::unallocatedAt100).toArray();
        return String.format(Locale.US, "RESULT tasks=%s policy=%s seeds=%d unallocated_at_100=%.2f sd=%.2f alloc_at_130=%.2f frag_at_80=%.2f",
                tasksFile, policy, runs.size(), mean(un), sd(un),
                mean(runs.stream().mapToDouble(ReplayRun::allocAt130).toArray()),
                mean(runs.stream().mapToDouble(ReplayRun::fragAt80).toArray()));
    }

    /** Every run's dump lines under one header, seeds in the order given. */
    static void writeDump(List<ReplayRun> runs, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (var w = Files.newBufferedWriter(file)) {
            w.write(ReplayRun.DUMP_HEADER);
            w.newLine();
            for (ReplayRun r : runs)
                for (String line : r.dump()) {
                    w.write(line);
                    w.newLine();
                }
        }
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** Sample standard deviation (n - 1); 0 for a single value. */
    static double sd(double[] v) {
        if (v.length < 2) return 0;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }

    static void write(List<ReplayRun> runs, Path csv, Path svg, String title) throws IOException {
        Files.createDirectories(csv.toAbsolutePath().getParent());
        int n = ReplayRun.INFLATE_PCT + 1;
        double[] mean = new double[n];
        var sb = new StringBuilder("arrived_pct,alloc_pct_mean,alloc_pct_sd");
        for (ReplayRun r : runs) sb.append(",alloc_pct_seed_").append(r.seed());
        sb.append('\n');
        for (int i = 0; i < n; i++) {
            double[] v = new double[runs.size()];
            for (int j = 0; j < v.length; j++) v[j] = runs.get(j).allocPctAt()[i];
            mean[i] = mean(v);
            sb.append(i).append(String.format(Locale.US, ",%.3f,%.3f", mean[i], sd(v)));
            for (double x : v) sb.append(String.format(Locale.US, ",%.3f", x));
            sb.append('\n');
        }
        Files.writeString(csv, sb);
        Files.writeString(svg, svg(mean, title));
    }

    /** Allocated % against arrived %, with the ideal y = x line; 600 x 400 px. */
    static String svg(double[] mean, String title) {
        int w = 600, h = 400, left = 50, bottom = 40, top = 30, right = 20;
        double pw = w - left - right, ph = h - top - bottom;
        var sb = new StringBuilder();
        sb.append(String.format(Locale.US, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", w, h));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.US, "<text x=\"%d\" y=\"18\" font-size=\"13\">%s: GPU allocated vs arrived (mean over seeds)</text>%n", left, title));
        for (int t = 0; t <= 130; t += 10) {
            double x = left + pw * t / 130.0, y = top + ph - ph * t / 130.0;
            sb.append(String.format(Locale.US, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", x, top, x, top + ph));
            sb.append(String.format(Locale.US, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, y, left + pw, y));
            sb.append(String.format(Locale.US, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>", x, top + ph + 15, t));
            sb.append(String.format(Locale.US, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n", left - 5, y + 4, t));
        }
        sb.append(String.format(Locale.US, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\" stroke-dasharray=\"4\"/>%n", left, top + ph, left + pw, top));
        sb.append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"");
        for (int i = 0; i < mean.length; i++)
            sb.append(String.format(Locale.US, "%.1f,%.1f ", left + pw * i / 130.0, top + ph - ph * mean[i] / 130.0));
        sb.append("\"/>\n");
        sb.append(String.format(Locale.US, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">arrived GPU demand (%% of capacity)</text>%n", left + pw / 2, h - 5));
        sb.append(String.format(Locale.US, "<text x=\"12\" y=\"%.1f\" transform=\"rotate(-90 12 %.1f)\" text-anchor=\"middle\">allocated GPU (%%)</text>%n", top + ph / 2, top + ph / 2));
        sb.append("</svg>\n");
        return sb.toString();
    }
}
