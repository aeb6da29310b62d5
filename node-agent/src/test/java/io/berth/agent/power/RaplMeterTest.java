package io.berth.agent.power;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RAPL read from a powercap tree of real files laid out as Linux lays it out on a two-socket machine: two packages with
 * their core sub-zones and an MMIO duplicate of package 0, which must not be added.
 */
class RaplMeterTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long RANGE = 262_143_328_850L; // max_energy_range_uj of a Xeon package

    @TempDir
    Path root;
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private RaplMeter meter;

    @BeforeEach
    void twoSockets() throws IOException {
        zone("intel-rapl:0", "package-0", 100_000_000L);
        zone("intel-rapl:0/intel-rapl:0:0", "core", 50_000_000L);
        zone("intel-rapl:1", "package-1", 200_000_000L);
        zone("intel-rapl:1/intel-rapl:1:0", "core", 70_000_000L);
        zone("intel-rapl-mmio:0", "package-0", 100_000_000L);
        meter = new RaplMeter(root, clock::get);
    }

    private void zone(String dir, String name, long energyUj) throws IOException {
        Path z = Files.createDirectories(root.resolve(dir));
        Files.writeString(z.resolve("name"), name + "\n");
        Files.writeString(z.resolve("max_energy_range_uj"), RANGE + "\n");
        energy(dir, energyUj);
    }

    private void energy(String dir, long energyUj) throws IOException {
        Files.writeString(root.resolve(dir).resolve("energy_uj"), energyUj + "\n");
    }

    @Test
    void wattsAreTheEnergyCountedOverTheTimeBetweenReads() throws IOException {
        assertThat(meter.read()).as("the first read only sets the baseline").isEmpty();
        clock.addAndGet(5 * SECOND);
        energy("intel-rapl:0", 100_000_000L + 600_000_000L);  // 600 J in 5 s = 120 W
        energy("intel-rapl:1", 200_000_000L + 400_000_000L);  // 400 J in 5 s = 80 W
        energy("intel-rapl:0/intel-rapl:0:0", 999_000_000L);  // a sub-zone: inside package 0 already
        energy("intel-rapl-mmio:0", 999_000_000L);            // the same package through MMIO
        assertThat(meter.read().getAsDouble()).isCloseTo(200.0, within(1e-9));

        clock.addAndGet(2 * SECOND);
        energy("intel-rapl:0", 700_000_000L + 100_000_000L);  // 100 J in 2 s = 50 W
        energy("intel-rapl:1", 600_000_000L + 30_000_000L);   // 30 J in 2 s = 15 W
        assertThat(meter.read().getAsDouble()).isCloseTo(65.0, within(1e-9));
    }

    @Test
    void aCounterThatWrappedCountsOnFromItsRange() throws IOException {
        energy("intel-rapl:0", RANGE - 100_000_000L);
        meter.read();
        clock.addAndGet(4 * SECOND);
        energy("intel-rapl:0", 300_000_000L);                 // 100 J to the wrap, 300 J after: 400 J in 4 s = 100 W
        energy("intel-rapl:1", 200_000_000L + 40_000_000L);   // 40 J in 4 s = 10 W
        assertThat(meter.read().getAsDouble()).isCloseTo(110.0, within(1e-6));
    }

    @Test
    void noFigureWithoutPackagesOrWhenACounterCannotBeRead() throws IOException {
        assertThat(new RaplMeter(root.resolve("absent"), clock::get).read()).isEmpty();
        meter.read();
        clock.addAndGet(SECOND);
        Files.writeString(root.resolve("intel-rapl:1/energy_uj"), "");  // as a read refused mid-way looks
        assertThat(meter.read()).isEmpty();
        clock.addAndGet(SECOND);
        energy("intel-rapl:1", 300_000_000L);
        assertThat(meter.read()).as("the failed read dropped the baseline").isEmpty();
        clock.addAndGet(SECOND);
        energy("intel-rapl:0", 100_000_000L + 30_000_000L);    // 30 J in 1 s
        energy("intel-rapl:1", 300_000_000L + 20_000_000L);    // 20 J in 1 s
        assertThat(meter.read()).isEqualTo(OptionalDouble.of(50.0));
    }

    @Test
    void noFigureWhenNoTimePassed() {
        meter.read();
        assertThat(meter.read()).isEmpty();
    }
}
