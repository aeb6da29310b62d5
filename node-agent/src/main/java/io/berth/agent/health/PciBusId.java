package io.berth.agent.health;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PCI addresses of GPUs as the tools print them: nvidia-smi writes {@code 00000000:3B:00.0} (8-digit domain, upper
 * case, with the function), the kernel log {@code 0000:3b:00} (4-digit domain, no function). Both normalize to
 * {@code 0000:3b:00} (domain as 4 digits, lower case, without the function), which is how they are compared.
 */
public final class PciBusId {
    private static final Pattern ID = Pattern.compile(
            "([0-9A-Fa-f]{1,8}):([0-9A-Fa-f]{2}):([0-9A-Fa-f]{2})(?:\\.[0-7])?");

    private PciBusId() {
    }

    /** @throws IllegalArgumentException when {@code id} is not a PCI address */
    public static String normalize(String id) {
        Matcher m = ID.matcher(id.strip());
        if (!m.matches()) throw new IllegalArgumentException("not a PCI bus id: " + id);
        long domain = Long.parseLong(m.group(1), 16);
        return String.format(Locale.ROOT, "%04x:%s:%s", domain, m.group(2).toLowerCase(Locale.ROOT),
                m.group(3).toLowerCase(Locale.ROOT));
    }

    /** The PCI address a simulated accelerator has unless its hardware file gives one: bus {@code index + 1}. */
    public static String simulated(int index) {
        return String.format(Locale.ROOT, "0000:%02x:00", index + 1);
    }
}
