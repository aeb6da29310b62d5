package io.berth.agent.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.hardware.Hardware.Accelerator;
import io.berth.agent.hardware.Hardware.AcceleratorKind;
import io.berth.agent.hardware.Hardware.LocalDevice;
import io.berth.agent.hardware.Hardware.StorageMedium;
import io.berth.agent.json.InvalidSpecException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HardwareFileTest {

    @Test
    void parsesACompleteFile() {
        Hardware h = HardwareFile.parse("""
                cpuMillis: 64000
                memoryMib: 524288
                networkMbps: 100000
                rack: r7
                labels: {zone: b, tier: 2}
                accelerators:
                  - {index: 1, kind: gpu, vendor: NVIDIA, model: H100, memoryMib: 81559, interconnectDomain: nvl-0}
                  - {index: 0, kind: TPU, vendor: Google, model: v5e, memoryMib: 16384}
                localDevices:
                  - {name: nvme0, medium: NVME, capacityGib: 3840, readMbPerSec: 7000, writeMbPerSec: 4000}
                  - {name: disk, medium: hdd, capacityGib: 8000}
                """);

        assertThat(h).isEqualTo(new Hardware(64000, 524288, 100000, "r7", Map.of("zone", "b", "tier", "2"),
                List.of(new Accelerator(0, AcceleratorKind.TPU, "Google", "v5e", 16384, null, "0000:01:00"),
                        new Accelerator(1, AcceleratorKind.GPU, "NVIDIA", "H100", 81559, "nvl-0", "0000:02:00")),
                List.of(new LocalDevice("nvme0", StorageMedium.NVME, 3840, 7000, 4000),
                        new LocalDevice("disk", StorageMedium.HDD, 8000, 0, 0)),
                true));
    }

    @Test
    void readsTheOptionalPowerFigures() {
        Hardware h = HardwareFile.parse("{cpuMillis: 1000, memoryMib: 1024, idlePowerWatts: 150, peakPowerWatts: 420}");
        assertThat(h.idlePowerWatts()).isEqualTo(150);
        assertThat(h.peakPowerWatts()).isEqualTo(420);
        Hardware without = HardwareFile.parse("{cpuMillis: 1000, memoryMib: 1024}");
        assertThat(without.idlePowerWatts()).isNull();
        assertThat(without.peakPowerWatts()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpu-8x-a100.yaml", "gpu-4x-t4.yaml", "cpu-only.yaml"})
    void shippedExamplesAreValid(String file) throws Exception {
        Hardware h = HardwareFile.load(Path.of("..", "examples", "hardware", file));
        assertThat(h.cpuMillis()).isPositive();
        assertThat(h.simulated()).isTrue();
    }

    @Test
    void exampleA100HasEightGpusInOneDomain() throws Exception {
        Hardware h = HardwareFile.load(Path.of("..", "examples", "hardware", "gpu-8x-a100.yaml"));
        assertThat(h.accelerators()).hasSize(8).allMatch(a -> a.memoryMib() == 81920 && "nvswitch-0".equals(a.interconnectDomain()));
        assertThat(h.accelerators()).extracting(Accelerator::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(List.of(h.idlePowerWatts(), h.peakPowerWatts())).containsExactly(1500, 6500);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            missing cpuMillis          | memoryMib: 1024                                                              | cpuMillis                    | is required
            zero memory                | {cpuMillis: 1000, memoryMib: 0}                                              | memoryMib                    | must be between 1 and
            typo in top-level field    | {cpuMillis: 1000, memoryMib: 1, gpus: 2}                                     | gpus                         | unknown field
            fractional cpu             | {cpuMillis: 1.5, memoryMib: 1}                                               | cpuMillis                    | must be an integer
            accelerator without kind   | {cpuMillis: 1, memoryMib: 1, accelerators: [{index: 0, vendor: V, model: M, memoryMib: 1}]} | accelerators[0].kind | is required
            bad accelerator kind       | {cpuMillis: 1, memoryMib: 1, accelerators: [{index: 0, kind: FPGA, vendor: V, model: M, memoryMib: 1}]} | accelerators[0].kind | must be one of [gpu, tpu]
            duplicate index            | {cpuMillis: 1, memoryMib: 1, accelerators: [{index: 0, kind: GPU, vendor: V, model: M, memoryMib: 1}, {index: 0, kind: GPU, vendor: V, model: M, memoryMib: 1}]} | accelerators[1].index | duplicate accelerator index 0
            blank model                | {cpuMillis: 1, memoryMib: 1, accelerators: [{index: 0, kind: GPU, vendor: V, model: ' ', memoryMib: 1}]} | accelerators[0].model | must be a non-blank string
            accelerators not a list    | {cpuMillis: 1, memoryMib: 1, accelerators: 8}                                | accelerators                 | must be a list
            bad medium                 | {cpuMillis: 1, memoryMib: 1, localDevices: [{name: d, medium: TAPE, capacityGib: 1}]} | localDevices[0].medium | must be one of [nvme, ssd, hdd]
            negative write rate        | {cpuMillis: 1, memoryMib: 1, localDevices: [{name: d, medium: SSD, capacityGib: 1, writeMbPerSec: -5}]} | localDevices[0].writeMbPerSec | must be between 0 and
            duplicate device name      | {cpuMillis: 1, memoryMib: 1, localDevices: [{name: d, medium: SSD, capacityGib: 1}, {name: d, medium: HDD, capacityGib: 1}]} | localDevices[1].name | duplicate local device name d
            idle without peak          | {cpuMillis: 1, memoryMib: 1, idlePowerWatts: 300}                            | peakPowerWatts               | required when idlePowerWatts is given
            peak below idle            | {cpuMillis: 1, memoryMib: 1, idlePowerWatts: 300, peakPowerWatts: 200}      | peakPowerWatts               | must be at least idlePowerWatts (300) but was 200
            absurd peak                | {cpuMillis: 1, memoryMib: 1, peakPowerWatts: 2000000}                        | peakPowerWatts               | must be between 1 and 100000
            fractional idle            | {cpuMillis: 1, memoryMib: 1, idlePowerWatts: 1.5, peakPowerWatts: 200}      | idlePowerWatts               | must be an integer
            not a mapping              | '- just a list'                                                              | ''                           | must be an object
            """)
    void rejectsInvalidFilesNamingTheField(String name, String yaml, String field, String problem) {
        assertThatThrownBy(() -> HardwareFile.parse(yaml))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.problem()).contains(problem);
                });
    }
}
