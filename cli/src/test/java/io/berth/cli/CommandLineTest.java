package io.berth.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command line without a cluster: memory sizes as Slurm and Kubernetes users write them, and help everywhere. */
class CommandLineTest {
    @ParameterizedTest(name = "{0} = {1} MiB")
    @CsvSource({"512, 512", "512M, 512", "32G, 32768", "1T, 1048576", "1.5G, 1536", "256Mi, 256", "1Gi, 1024",
            "2GB, 2048", "2GiB, 2048", "1024K, 1", "100Ki, 1", " 4g , 4096"})
    void memorySizes(String written, long mib) {
        assertThat(new Units.Mem().convert(written)).isEqualTo(mib);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"lots", "512B", "1Gx", "G", "", "-1G", "0", "1.5.5G"})
    void notMemorySizes(String written) {
        assertThatThrownBy(() -> new Units.Mem().convert(written))
                .isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining("is not a memory size");
    }

    /** Every command answers --help with its usage and exit 0, as the hint of a usage error tells the user to run. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"submit", "list", "queue", "describe", "logs", "cancel", "nodes", "drain", "usage", "login",
            "quota", "quota set", "tokens", "tokens create"})
    void everyCommandHasHelp(String command) {
        String[] args = (command + " --help").split(" ");
        Run help = run(args);
        assertThat(help.code()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: berth " + command.replace("queue", "list"));

        Run wrong = run((command + " --no-such-flag").split(" "));
        assertThat(wrong.code()).isEqualTo(Berth.USAGE);
        assertThat(wrong.err()).contains("(see 'berth " + command.replace("queue", "list") + " --help')");
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Berth.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
