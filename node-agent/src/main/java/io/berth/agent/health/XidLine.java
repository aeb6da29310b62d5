package io.berth.agent.health;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One NVIDIA driver XID report from the kernel log, as dmesg, journalctl -k or /var/log/kern.log print it, e.g.
 * {@code [ 8312.512873] NVRM: Xid (PCI:0000:3b:00): 79, pid=2051, name=python3, GPU has fallen off the bus.} or
 * (older drivers) {@code NVRM: Xid (0000:02:00): 48, An uncorrectable double bit error ...}. Whatever precedes
 * {@code NVRM:} (a syslog prefix or a dmesg timestamp) is kept in {@link #line} only.
 *
 * @param pciBusId the device as {@link PciBusId#normalize} writes it ({@code 0000:3b:00})
 * @param xid      the XID number
 * @param text     what follows the number (pid, process name, description), may be empty
 * @param line     the whole line, stripped
 */
public record XidLine(String pciBusId, int xid, String text, String line) {
    private static final Pattern XID = Pattern.compile(
            "NVRM: Xid \\((?:PCI:)?([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2})(?:\\.[0-7])?\\): (\\d{1,5})(?:,\\s*(.*))?$");

    /** The XID of one log line; empty for any other line. */
    public static Optional<XidLine> parse(String line) {
        Matcher m = XID.matcher(line.strip());
        if (!m.find()) return Optional.empty();
        String text = m.group(3) == null ? "" : m.group(3).strip();
        return Optional.of(new XidLine(PciBusId.normalize(m.group(1)), Integer.parseInt(m.group(2)), text, line.strip()));
    }

    /** What the XID means, for the reasons shown to operators (NVIDIA's XID catalogue, the common ones). */
    public String meaning() {
        return switch (xid) {
            case 13 -> "graphics engine exception";
            case 31 -> "GPU memory page fault";
            case 43 -> "GPU stopped processing (user application fault)";
            case 45 -> "preemptive cleanup after a previous error";
            case 48 -> "double-bit ECC error";
            case 63 -> "ECC page retirement or row remapping recorded";
            case 64 -> "ECC page retirement or row remapping failed";
            case 74 -> "NVLink error";
            case 79 -> "GPU has fallen off the bus";
            case 92 -> "high single-bit ECC error rate";
            case 94 -> "contained ECC error";
            case 95 -> "uncontained ECC error";
            case 119, 120 -> "GSP error";
            default -> "XID " + xid;
        };
    }
}
