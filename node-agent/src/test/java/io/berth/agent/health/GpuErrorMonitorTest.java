package io.berth.agent.health;

import io.berth.core.protocol.AcceleratorError;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GpuErrorMonitorTest {
    /** The two A100s of the samples: 07:00 is index 0, 0f:00 index 1 (nvidia-smi's own form of the address). */
    private static final Map<String, Integer> BUSES = Map.of("00000000:07:00.0", 0, "00000000:0F:00.0", 1);

    @TempDir
    Path dir;

    private static List<String> summary(List<AcceleratorError> errors) {
        return errors.stream().map(e -> e.index() + " " + e.errorClass()).toList();
    }

    @Test
    void reportsEachXidOfTheKernelLogUntilAHeartbeatDeliveredIt() throws IOException {
        Path log = dir.resolve("kern.log");
        Files.writeString(log, NvidiaSmiReportTest.resource("kern.log"));
        GpuErrorMonitor monitor = new GpuErrorMonitor(BUSES, log, true, null);

        List<AcceleratorError> first = monitor.poll();
        assertThat(summary(first)).containsExactly("0 xid13", "0 xid13", "1 xid31", "1 xid43", "1 xid48", "1 xid63",
                "0 xid79");
        assertThat(first.get(6).message())
                .isEqualTo("XID 79 (GPU has fallen off the bus) on PCI 0000:07:00: pid='<unknown>', name=<unknown>, "
                        + "GPU has fallen off the bus.");
        assertThat(monitor.poll()).isEqualTo(first); // not delivered yet: sent again

        monitor.acknowledge(first);
        assertThat(monitor.poll()).isEmpty();
        // the same error again later is a new line of the log, so a new error
        Files.writeString(log, "Oct 10 21:00:01 dgx-a100-07 kernel: [26394.1] NVRM: Xid (PCI:0000:0f:00): 48, pid=1, "
                + "name=python3, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer\n"
                + "Oct 10 21:00:01 dgx-a100-07 kernel: [26394.2] NVRM: Xid (PCI:0000:0f:00): 4", StandardOpenOption.APPEND);
        List<AcceleratorError> again = monitor.poll();
        assertThat(summary(again)).containsExactly("1 xid48"); // the unfinished last line waits for its newline
        assertThat(again.get(0).key()).isNotIn(first.stream().map(AcceleratorError::key).toList());
    }

    @Test
    void aRealKernelLogIsReadFromItsEndOnwards() throws IOException {
        Path log = dir.resolve("kern.log");
        Files.writeString(log, NvidiaSmiReportTest.resource("kern.log"));
        GpuErrorMonitor monitor = new GpuErrorMonitor(BUSES, log, false, null);
        assertThat(monitor.poll()).isEmpty(); // yesterday's errors are not news
        Files.writeString(log, "NVRM: Xid (PCI:0000:07:00): 79, pid=9, name=python3, GPU has fallen off the bus.\n",
                StandardOpenOption.APPEND);
        assertThat(summary(monitor.poll())).containsExactly("0 xid79");
    }

    @Test
    void reportsCounterErrorsOncePerNewErrorAndConditionsOncePerEpisode() throws IOException {
        AtomicReference<String> smi = new AtomicReference<>(NvidiaSmiReportTest.resource("nvidia-smi-q-a100-r535.txt"));
        GpuErrorMonitor monitor = new GpuErrorMonitor(BUSES, null, true, smi::get);

        List<AcceleratorError> first = monitor.poll();
        assertThat(summary(first)).containsExactly("1 ecc-dbe", "1 row-remap-pending");
        assertThat(first.get(0).message())
                .isEqualTo("uncorrectable (double-bit) ECC errors: 2 since the driver loaded, 3 over the GPU's life");
        monitor.acknowledge(first);
        assertThat(monitor.poll()).isEmpty(); // the same counters and the same pending remap: nothing new

        // one more uncorrectable error: a new aggregate count, a new error; the remap is still the same episode
        smi.set(smi.get().replace("DRAM Uncorrectable            : 3", "DRAM Uncorrectable            : 4"));
        assertThat(summary(monitor.poll())).containsExactly("1 ecc-dbe");
        monitor.acknowledge(monitor.poll());

        // the GPU falls off the bus: lost while nvidia-smi says so
        smi.set(NvidiaSmiReportTest.resource("nvidia-smi-q-gpu-lost.txt"));
        List<AcceleratorError> lost = monitor.poll();
        assertThat(summary(lost)).containsExactly("1 gpu-lost");
        assertThat(monitor.lost()).isEqualTo(Map.of(1, "nvidia-smi cannot reach the GPU: Unknown Error"));
        monitor.acknowledge(lost);
        assertThat(monitor.poll()).isEmpty();
    }

    @Test
    void learnsTheAddressesOfRealGpusFromTheFirstCompleteReportAndIgnoresUnknownOnes() throws IOException {
        String report = NvidiaSmiReportTest.resource("nvidia-smi-q-v100-r470.txt");
        Path log = dir.resolve("kern.log");
        Files.writeString(log, "");
        GpuErrorMonitor monitor = new GpuErrorMonitor(Map.of(), log, false, () -> report);
        // nvidia-smi lists GPUs by index: 1a:00 is 0, 1b:00 (one uncorrectable error, pages pending retirement) is 1
        assertThat(summary(monitor.poll())).containsExactly("1 ecc-dbe", "1 page-retirement-pending");
        Files.writeString(log, "NVRM: Xid (PCI:0000:1b:00): 48, An uncorrectable double bit error\n"
                + "NVRM: Xid (PCI:0000:5e:00): 79, GPU has fallen off the bus.\n", StandardOpenOption.APPEND);
        assertThat(summary(monitor.poll())).containsExactly("1 ecc-dbe", "1 page-retirement-pending", "1 xid48");
        assertThat(monitor.unknownDevices()).isEqualTo(1);
    }
}
