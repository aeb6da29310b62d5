package io.berth.agent.power;

/**
 * A server's power by utilisation, interpolated between its idle and peak figures (the inventory's
 * {@code idlePowerWatts}/{@code peakPowerWatts}, or the simulated hardware file's).
 *
 * @param idleWatts power with nothing running, W (&gt;= 0)
 * @param peakWatts power at full use, W (&gt;= idleWatts, &gt; 0)
 */
public record PowerModel(int idleWatts, int peakWatts) {
    public PowerModel {
        if (idleWatts < 0 || peakWatts <= 0 || peakWatts < idleWatts)
            throw new IllegalArgumentException("need 0 <= idle <= peak and peak > 0, got idle " + idleWatts
                    + " W and peak " + peakWatts + " W");
    }

    /** A model from optional figures: null unless peak is given and positive (idle defaults to 0). */
    public static PowerModel of(Integer idleWatts, Integer peakWatts) {
        if (peakWatts == null || peakWatts <= 0) return null;
        int idle = idleWatts == null ? 0 : Math.max(0, Math.min(idleWatts, peakWatts));
        return new PowerModel(idle, peakWatts);
    }

    /** idle + (peak - idle) x utilisation, W, rounded; utilisation is clamped to 0..1. */
    public int watts(double utilisation) {
        double u = Double.isNaN(utilisation) ? 0 : Math.max(0, Math.min(1, utilisation));
        return (int) Math.round(idleWatts + (peakWatts - idleWatts) * u);
    }
}
