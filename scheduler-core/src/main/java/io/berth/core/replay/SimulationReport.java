package io.berth.core.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The per-time-step CSV and the SVG chart of a {@link Simulation}. */
final class SimulationReport {
    private SimulationReport() {}

    static void write(Simulation.Result r, Path csv, Path svg, Path powerSvg, String title) throws IOException {
        double cap = r.capacityGpuMilli();
        StringBuilder c = new StringBuilder("time_s,queued_jobs,queued_gpu_pct,running_jobs,gpu_alloc_pct,frag_pct,"
                + "it_kw,servers_off\n");
        for (Simulation.Sample s : r.samples())
            c.append(String.format(Locale.US, "%d,%d,%.3f,%d,%.3f,%.3f,%.3f,%d%n", s.time(), s.queuedJobs(),
                    100 * s.queuedGpuMilli() / cap, s.runningJobs(), 100 * s.allocatedGpuMilli() / cap,
                    100 * s.fragmentedGpuMilli() / cap, s.itWatts() / 1000.0, s.serversOff()));
        Files.writeString(csv, c);
        Files.writeString(svg, svg(r, title));
        Files.writeString(powerSvg, powerSvg(r, title));
    }

    /** IT power (kW) and GPU allocation (% of the peak-power scale) over the arrival window. */
    private static String powerSvg(Simulation.Result r, String title) {
        List<Simulation.Sample> s = r.samples();
        int w = 900, h = 420, left = 60, right = 20, top = 40, bottom = 50;
        double maxKw = 1;
        for (Simulation.Sample x : s) maxKw = Math.max(maxKw, x.itWatts() / 1000.0);
        maxKw = niceCeiling(maxKw);
        long t0 = s.isEmpty() ? 0 : s.get(0).time(), t1 = s.isEmpty() ? 1 : Math.max(t0 + 1, s.get(s.size() - 1).time());
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.US, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", w, h));
        b.append(String.format(Locale.US, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s: IT power</text>%n", left,
                escape(title)));
        for (int k = 0; k <= 4; k++) {
            double v = maxKw * k / 4;
            double y = top + (h - top - bottom) * (1 - v / maxKw);
            b.append(String.format(Locale.US, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f kW</text>%n", left, y, w - right, y, left - 6, y + 4, v));
        }
        b.append(String.format(Locale.US, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">simulated time, days "
                + "(0 to %.1f)</text>%n", (left + w - right) / 2, h - 15, (t1 - t0) / 86400.0));
        StringBuilder pts = new StringBuilder();
        for (Simulation.Sample x : s) {
            double px = left + (w - left - right) * (double) (x.time() - t0) / (t1 - t0);
            double py = top + (h - top - bottom) * (1 - x.itWatts() / 1000.0 / maxKw);
            pts.append(String.format(Locale.US, "%.1f,%.1f ", px, py));
        }
        b.append(String.format(Locale.US, "<polyline fill=\"none\" stroke=\"#ff7f0e\" stroke-width=\"1.5\" points=\"%s\"/>%n",
                pts.toString().trim()));
        b.append(String.format(Locale.US, "<text x=\"%d\" y=\"%d\">IT energy %.0f kWh over the window, %.0f kWh in all; "
                + "%d suspends, %d resumes</text>%n", left + 10, top + 14, r.energyWindowKwh(), r.energyTotalKwh(),
                r.suspends(), r.resumes()));
        b.append("</svg>\n");
        return b.toString();
    }

    private static double niceCeiling(double v) {
        double step = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 5, 10}) if (m * step >= v) return m * step;
        return 10 * step;
    }

    /** Three lines over the arrival window, all in % of the cluster's GPU capacity. */
    private static String svg(Simulation.Result r, String title) {
        List<Simulation.Sample> s = r.samples();
        double cap = r.capacityGpuMilli();
        int w = 900, h = 420, left = 60, right = 20, top = 40, bottom = 50;
        double maxY = 100;
        for (Simulation.Sample x : s) maxY = Math.max(maxY, 100 * x.queuedGpuMilli() / cap);
        maxY = Math.ceil(maxY / 50) * 50;
        long t0 = s.isEmpty() ? 0 : s.get(0).time(), t1 = s.isEmpty() ? 1 : Math.max(t0 + 1, s.get(s.size() - 1).time());
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.US, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", w, h));
        b.append(String.format(Locale.US, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s</text>%n", left, escape(title)));
        for (int k = 0; k <= 4; k++) {
            double v = maxY * k / 4;
            double y = top + (h - top - bottom) * (1 - v / maxY);
            b.append(String.format(Locale.US, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f%%</text>%n", left, y, w - right, y, left - 6, y + 4, v));
        }
        b.append(String.format(Locale.US, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">simulated time, days "
                + "(0 to %.1f)</text>%n", (left + w - right) / 2, h - 15, (t1 - t0) / 86400.0));
        String[][] series = {{"queued GPU demand", "#d62728"}, {"GPU allocated", "#1f77b4"}, {"GPU fragmented", "#2ca02c"}};
        for (int k = 0; k < series.length; k++) {
            StringBuilder pts = new StringBuilder();
            for (Simulation.Sample x : s) {
                double v = 100 * (k == 0 ? x.queuedGpuMilli() : k == 1 ? x.allocatedGpuMilli() : x.fragmentedGpuMilli()) / cap;
                double px = left + (w - left - right) * (double) (x.time() - t0) / (t1 - t0);
                double py = top + (h - top - bottom) * (1 - v / maxY);
                pts.append(String.format(Locale.US, "%.1f,%.1f ", px, py));
            }
            b.append(String.format(Locale.US, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n",
                    series[k][1], pts.toString().trim()));
            b.append(String.format(Locale.US, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s (%% of GPUs)</text>%n", w - 260, top + 8 + 16 * k, series[k][1],
                    w - 244, top + 13 + 16 * k, series[k][0]));
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
