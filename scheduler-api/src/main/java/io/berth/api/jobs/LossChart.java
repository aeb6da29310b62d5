package io.berth.api.jobs;

import java.util.List;
import java.util.Locale;

/**
 * Draws a job's training curve as a small SVG: loss per epoch (left axis, blue) and, for classifiers, accuracy
 * (right axis 0..1, green). Pure function of the metrics; no external library.
 */
final class LossChart {
    private static final int W = 640;
    private static final int H = 320;
    private static final int L = 60;
    private static final int R = 50;
    private static final int T = 30;
    private static final int B = 40;

    private LossChart() {
    }

    static String svg(String title, List<JobViews.EpochMetric> metrics) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.US, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n", W, H));
        sb.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        sb.append(String.format(Locale.US, "<text x=\"%d\" y=\"18\" font-size=\"13\">%s</text>%n", L, escape(title)));
        sb.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
                L, T, W - L - R, H - T - B));
        if (metrics.isEmpty()) {
            sb.append(String.format("<text x=\"%d\" y=\"%d\">no epochs reported yet</text>%n", L + 10, T + 20));
            return sb.append("</svg>\n").toString();
        }
        int firstEpoch = metrics.get(0).epoch();
        int lastEpoch = Math.max(firstEpoch + 1, metrics.get(metrics.size() - 1).epoch());
        double maxLoss = metrics.stream().mapToDouble(JobViews.EpochMetric::loss).max().orElse(1);
        if (maxLoss <= 0) maxLoss = 1;
        StringBuilder loss = new StringBuilder();
        StringBuilder accuracy = new StringBuilder();
        for (JobViews.EpochMetric m : metrics) {
            double x = L + (double) (m.epoch() - firstEpoch) / (lastEpoch - firstEpoch) * (W - L - R);
            loss.append(String.format(Locale.US, "%.1f,%.1f ", x, T + (1 - m.loss() / maxLoss) * (H - T - B)));
            if (m.accuracy() != null)
                accuracy.append(String.format(Locale.US, "%.1f,%.1f ", x, T + (1 - m.accuracy()) * (H - T - B)));
        }
        sb.append(String.format("<polyline class=\"loss\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"%s\"/>%n",
                loss.toString().trim()));
        if (!accuracy.isEmpty())
            sb.append(String.format("<polyline class=\"accuracy\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2\" points=\"%s\"/>%n",
                    accuracy.toString().trim()));
        sb.append(String.format(Locale.US, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.3g</text>%n", L - 4, T + 4, maxLoss));
        sb.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>%n", L - 4, H - B));
        sb.append(String.format("<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">loss</text>%n", 8, T + 40));
        if (!accuracy.isEmpty()) {
            sb.append(String.format("<text x=\"%d\" y=\"%d\">1.0</text>%n", W - R + 4, T + 4));
            sb.append(String.format("<text x=\"%d\" y=\"%d\" fill=\"#2ca02c\">accuracy</text>%n", W - R + 2, T + 40));
        }
        sb.append(String.format("<text x=\"%d\" y=\"%d\">epoch %d</text>%n", L, H - B + 16, firstEpoch));
        sb.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">epoch %d</text>%n", W - R, H - B + 16, lastEpoch));
        return sb.append("</svg>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
