package io.berth.agent.power;

import io.berth.core.protocol.HeartbeatRequest;
import io.berth.core.protocol.HeartbeatRequest.GpuWatts;
import io.berth.core.protocol.HeartbeatRequest.Power;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
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
 *
 * <p>Readings the control plane would refuse are dropped here, since a refused heartbeat would leave the server
 * without heartbeats: a GPU not among the server's accelerators or above {@value #MAX_GPU_WATTS} W (drivers have been
 * seen to report 65535 W), a CPU figure above {@value #MAX_CPU_WATTS} W; the server's figure is capped at
 * {@value #MAX_SERVER_WATTS} W.
 */
public final class PowerMeter {
    /** The control plane's bounds of a report (the validation of io.berth.core.protocol.HeartbeatRequest.Power). */
    public static final int MAX_GPU_WATTS = 5_000;
    public static final int MAX_CPU_WATTS = 10_000;
    public static final int MAX_SERVER_WATTS = HeartbeatRequest.MAX_SERVER_WATTS;

    private final Supplier<String> nvidiaSmi;
    private final RaplMeter rapl;
    private final Set<Integer> gpuIndices;
    private volatile PowerModel model;

    /**
     * @param nvidiaSmi gives the output of {@link NvidiaSmiPower#QUERY} (null when it failed); null = no NVIDIA GPUs
     *                  to measure
     * @param rapl      the CPU package meter; null = do not read RAPL
     * @param model     the idle/peak model; null = none (yet: see {@link #useModel})
     */
    public PowerMeter(Supplier<String> nvidiaSmi, RaplMeter rapl, PowerModel model) {
        this(nvidiaSmi, rapl, model, null);
    }

    /** @param gpuIndices the server's accelerator indices: GPUs nvidia-smi lists beyond them are left out; null = any */
    public PowerMeter(Supplier<String> nvidiaSmi, RaplMeter rapl, PowerModel model, Set<Integer> gpuIndices) {
        this.nvidiaSmi = nvidiaSmi;
        this.rapl = rapl;
        this.model = model;
        this.gpuIndices = gpuIndices == null ? null : Set.copyOf(gpuIndices);
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
                    gpus = new TreeMap<>(NvidiaSmiPower.parse(out));
                    gpus.entrySet().removeIf(e -> e.getValue() > MAX_GPU_WATTS
                            || (gpuIndices != null && !gpuIndices.contains(e.getKey())));
                } catch (IllegalArgumentException e) {
                    gpus = Map.of(); // unreadable output measures nothing; the model still applies
                }
            }
        }
        OptionalDouble cpu = rapl == null ? OptionalDouble.empty() : rapl.read();
        Double cpuWatts = cpu.isPresent() && cpu.getAsDouble() <= MAX_CPU_WATTS ? cpu.getAsDouble() : null;
        PowerModel m = model;
        Power p = combine(gpus, cpuWatts, m == null ? null : m.watts(utilisation));
        return p == null || p.serverWatts() <= MAX_SERVER_WATTS ? p
                : new Power(MAX_SERVER_WATTS, p.source(), p.gpuWatts(), p.cpuWatts());
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
