package io.berth.agent.power;

import io.berth.agent.protocol.HeartbeatRequest.GpuWatts;
import io.berth.agent.protocol.HeartbeatRequest.Power;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * The power a heartbeat reports: the GPUs' draw from nvidia-smi, the CPU packages' from RAPL, and the server's
 * idle/peak model. Not thread-safe (the heartbeat loop is its only caller).
 *
 * <p>The one rule for combining them ({@link #combine}): measured = the sum of the parts measured (GPUs, CPU
 * packages). With a model, server watts = max(measured, model at the current utilisation), since the parts measured
 * are never the whole server (fans, memory, NICs, power supply losses) but a measurement above the model shows the
 * model is low; without a model, the measured sum; with nothing measured, the model; with neither, no figure (the
 * heartbeat carries no power). The source names the parts measured ("nvidia-smi", "rapl", "nvidia-smi+rapl"), else
 * "model".
 */
public final class PowerMeter {
    private final Supplier<String> nvidiaSmi;
    private final RaplMeter rapl;
    private volatile PowerModel model;

    /**
     * @param nvidiaSmi gives the output of {@link NvidiaSmiPower#QUERY} (null when it failed); null = no NVIDIA GPUs
     *                  to measure
     * @param rapl      the CPU package meter; null = do not read RAPL
     * @param model     the idle/peak model; null = none (yet: see {@link #useModel})
     */
    public PowerMeter(Supplier<String> nvidiaSmi, RaplMeter rapl, PowerModel model) {
        this.nvidiaSmi = nvidiaSmi;
        this.rapl = rapl;
        this.model = model;
    }

    /** A simulated server: only its model, if it has one. */
    public static PowerMeter modelOnly(PowerModel model) {
        return new PowerMeter(null, null, model);
    }

    public PowerModel model() {
        return model;
    }

    /** Replaces the model (the figures the control plane returned at registration). */
    public void useModel(PowerModel model) {
        this.model = model;
    }

    /**
     * Measures now.
     *
     * @param utilisation 0..1: on a GPU server the share of its GPUs held by running workers, else CPU in use / CPU
     * @return the figure to report, or null when there is none
     */
    public Power measure(double utilisation) {
        Map<Integer, Double> gpus = Map.of();
        if (nvidiaSmi != null) {
            String out = nvidiaSmi.get();
            if (out != null) {
                try {
                    gpus = NvidiaSmiPower.parse(out);
                } catch (IllegalArgumentException e) {
                    gpus = Map.of(); // unreadable output measures nothing; the model still applies
                }
            }
        }
        OptionalDouble cpu = rapl == null ? OptionalDouble.empty() : rapl.read();
        PowerModel m = model;
        return combine(gpus, cpu.isPresent() ? cpu.getAsDouble() : null, m == null ? null : m.watts(utilisation));
    }

    /**
     * The combination rule of this class's description.
     *
     * @param gpuWatts   measured watts by GPU index (empty when none)
     * @param cpuWatts   measured CPU package watts; null = not measured
     * @param modelWatts the model's figure; null = no model
     */
    public static Power combine(Map<Integer, Double> gpuWatts, Double cpuWatts, Integer modelWatts) {
        boolean gpuMeasured = !gpuWatts.isEmpty();
        boolean cpuMeasured = cpuWatts != null;
        if (!gpuMeasured && !cpuMeasured) {
            return modelWatts == null ? null : new Power(modelWatts, "model", List.of(), null);
        }
        double measured = (cpuMeasured ? cpuWatts : 0) + gpuWatts.values().stream().mapToDouble(Double::doubleValue).sum();
        int server = (int) Math.round(measured);
        if (modelWatts != null) server = Math.max(server, modelWatts);
        List<GpuWatts> gpus = new ArrayList<>();
        new java.util.TreeMap<>(gpuWatts).forEach((i, w) -> gpus.add(new GpuWatts(i, (int) Math.round(w))));
        String source = gpuMeasured && cpuMeasured ? "nvidia-smi+rapl" : gpuMeasured ? "nvidia-smi" : "rapl";
        return new Power(server, source, gpus, cpuMeasured ? (Integer) (int) Math.round(cpuWatts) : null);
    }
}
