package io.berth.core.scheduling;

/**
 * Resources held at once, as fair share and quotas count them: milli-GPU (1000 = one whole GPU) and millicores.
 * Memory is not counted (neither DRF nor the quotas use it).
 */
public record Usage(long gpuMilli, long cpuMillis) {
    public static final Usage ZERO = new Usage(0, 0);

    public Usage plus(Usage other) {
        return new Usage(gpuMilli + other.gpuMilli, cpuMillis + other.cpuMillis);
    }

    public boolean isZero() {
        return gpuMilli == 0 && cpuMillis == 0;
    }
}
