package io.berth.agent.power;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.core.protocol.HeartbeatRequest.GpuWatts;
import io.berth.core.protocol.HeartbeatRequest.Power;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The combination rule of partial measurements and the model, and the meter on real sample files. */
class PowerMeterTest {
    @TempDir
    Path sysfs;

    static Stream<Arguments> combinations() {
        return Stream.of(
                // measured 300 + 250 + 180 = 730 W, above the model's 700: the measurement
                Arguments.of("GPUs and CPU above the model", Map.of(0, 300.4, 1, 249.6), 180.0, 700,
                        new Power(730, "nvidia-smi+rapl", List.of(new GpuWatts(0, 300), new GpuWatts(1, 250)), 180)),
                // measured 2 x 60 W = 120 W of a server whose model says 1,500 W: the parts are not the whole server
                Arguments.of("idle GPUs below the model", Map.of(0, 60.0, 1, 60.0), null, 1500,
                        new Power(1500, "nvidia-smi", List.of(new GpuWatts(0, 60), new GpuWatts(1, 60)), null)),
                Arguments.of("CPU only, no model", Map.of(), 95.5, null, new Power(96, "rapl", List.of(), 96)),
                // 61.4 + 61.4 = 122.8 W rounds to 123 (the sum is rounded, not the rounded parts summed)
                Arguments.of("GPUs only, no model", Map.of(1, 61.4, 0, 61.4), null, null,
                        new Power(123, "nvidia-smi", List.of(new GpuWatts(0, 61), new GpuWatts(1, 61)), null)),
                Arguments.of("nothing measured: the model", Map.of(), null, 850, new Power(850, "model", List.of(), null)),
                Arguments.of("nothing at all: no figure", Map.of(), null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void combinesMeasuredPartsAndTheModel(String name, Map<Integer, Double> gpus, Double cpu, Integer model, Power expected) {
        assertThat(PowerMeter.combine(gpus, cpu, model)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "idle {0} W, peak {1} W at {2}: {3} W")
    @CsvSource({
            "1500, 6500, 0,    1500",   // idle
            "1500, 6500, 0.25, 2750",   // 1500 + 5000 x 0.25
            "1500, 6500, 1,    6500",   // peak
            "1500, 6500, 1.7,  6500",   // clamped
            "0,    400,  0.5,  200"})
    void theModelInterpolatesBetweenIdleAndPeak(int idle, int peak, double utilisation, int watts) {
        assertThat(new PowerModel(idle, peak).watts(utilisation)).isEqualTo(watts);
    }

    @Test
    void aModelNeedsAPeak() {
        assertThat(PowerModel.of(300, null)).isNull();
        assertThat(PowerModel.of(null, 0)).isNull();
        assertThat(PowerModel.of(null, 400)).isEqualTo(new PowerModel(0, 400));
    }

    @Test
    void measuresGpusFromNvidiaSmiAndThePackagesFromRapl() throws IOException {
        Path pkg = Files.createDirectories(sysfs.resolve("intel-rapl:0"));
        Files.writeString(pkg.resolve("max_energy_range_uj"), "262143328850\n");
        Files.writeString(pkg.resolve("energy_uj"), "5000000\n");
        AtomicLong clock = new AtomicLong(0);
        String smi = NvidiaSmiPowerTest.sample("nvidia-smi-power-h100-na.txt");
        PowerMeter meter = new PowerMeter(() -> smi, new RaplMeter(sysfs, clock::get), new PowerModel(900, 3900));

        // first heartbeat: RAPL has no interval yet; GPUs 112.63 + 699.12 + 118.04 = 929.79 W, the model at a quarter
        // 900 + 3000 x 0.25 = 1,650 W is higher
        assertThat(meter.measure(0.25)).isEqualTo(new Power(1650, "nvidia-smi",
                List.of(new GpuWatts(0, 113), new GpuWatts(2, 699), new GpuWatts(3, 118)), null));

        clock.set(3_000_000_000L);
        Files.writeString(pkg.resolve("energy_uj"), "1445000000\n"); // 1,440 J in 3 s = 480 W
        // 929.79 + 480 = 1,409.79 W measured; the model idle 900 W is lower
        assertThat(meter.measure(0)).isEqualTo(new Power(1410, "nvidia-smi+rapl",
                List.of(new GpuWatts(0, 113), new GpuWatts(2, 699), new GpuWatts(3, 118)), 480));
    }

    @Test
    void dropsReadingsTheControlPlaneWouldRefuse() throws IOException {
        // GPU 0 reads 65535 W (a driver glitch), GPU 2 is not one of the server's accelerators: only GPU 1 counts
        PowerMeter meter = new PowerMeter(() -> "0, 65535.00\n1, 50.25\n2, 40.00\n", null, null, java.util.Set.of(0, 1));
        assertThat(meter.measure(0)).isEqualTo(new Power(50, "nvidia-smi", List.of(new GpuWatts(1, 50)), null));

        // a CPU package that counted 1 MJ in one second is not believed
        Path pkg = Files.createDirectories(sysfs.resolve("intel-rapl:0"));
        Files.writeString(pkg.resolve("max_energy_range_uj"), "262143328850\n");
        Files.writeString(pkg.resolve("energy_uj"), "0\n");
        AtomicLong clock = new AtomicLong(0);
        PowerMeter cpu = new PowerMeter(null, new RaplMeter(sysfs, clock::get), new PowerModel(100, 200));
        cpu.measure(0);
        clock.set(1_000_000_000L);
        Files.writeString(pkg.resolve("energy_uj"), "1000000000000\n");
        assertThat(cpu.measure(0)).isEqualTo(new Power(100, "model", List.of(), null));
    }

    @Test
    void unreadableNvidiaSmiOutputOrAFailedRunFallsBackToTheModel() {
        PowerMeter garbled = new PowerMeter(() -> "NVIDIA-SMI has failed", null, new PowerModel(100, 300));
        assertThat(garbled.measure(0.5)).isEqualTo(new Power(200, "model", List.of(), null));
        PowerMeter failed = new PowerMeter(() -> null, null, null);
        assertThat(failed.measure(0.5)).isNull();
        failed.useModel(new PowerModel(100, 300));
        assertThat(failed.measure(1)).isEqualTo(new Power(300, "model", List.of(), null));
    }
}
