package io.berth.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XidLineTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            syslog, current driver    | Oct 10 19:22:30 dgx kernel: [19223.785512] NVRM: Xid (PCI:0000:07:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus. | 0000:07:00 | 79 | pid='<unknown>', name=<unknown>, GPU has fallen off the bus.
            dmesg, upper-case bus     | [ 8312.512873] NVRM: Xid (PCI:0000:3B:00): 48, pid=2051, name=python3, An uncorrectable double bit error (DBE) has been detected | 0000:3b:00 | 48 | pid=2051, name=python3, An uncorrectable double bit error (DBE) has been detected
            old driver, no PCI: tag   | NVRM: Xid (0000:02:00): 13, Graphics SM Warp Exception on (GPC 1, TPC 0, SM 0): Out Of Range Address | 0000:02:00 | 13 | Graphics SM Warp Exception on (GPC 1, TPC 0, SM 0): Out Of Range Address
            journalctl, no text       | Okt 06 17:59:27 balrog kernel: NVRM: Xid (PCI:0000:01:00): 43 | 0000:01:00 | 43 |
            """)
    void readsXidLines(String name, String line, String bus, int xid, String text) {
        assertThat(XidLine.parse(line)).contains(new XidLine(bus, xid, text == null ? "" : text, line.strip()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            the companion line of an XID 79 | NVRM: GPU 0000:07:00.0: GPU has fallen off the bus.
            a module load                   | NVRM: loading NVIDIA UNIX x86_64 Kernel Module  535.104.05
            another driver                  | amdgpu 0000:03:00.0: Xid (PCI:0000:03:00): 79
            """)
    void ignoresOtherLines(String name, String line) {
        assertThat(XidLine.parse(line)).isEqualTo(Optional.empty());
    }

    @Test
    void findsEveryXidOfARealKernelLog() throws IOException {
        List<Integer> xids = NvidiaSmiReportTest.resource("kern.log").lines()
                .flatMap(l -> XidLine.parse(l).stream()).map(XidLine::xid).toList();
        assertThat(xids).containsExactly(13, 13, 31, 43, 48, 63, 79);
    }
}
