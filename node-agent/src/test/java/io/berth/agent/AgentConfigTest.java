package io.berth.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {

    @TempDir
    Path dir;

    @Test
    void flagsWinOverEnvironmentAndDefaultsApply() {
        AgentConfig c = AgentConfig.parse(
                new String[] {"--control-plane=http://cp:8080", "--name", "gpu-7", "--work-dir=" + dir},
                Map.of("BERTH_CONTROL_PLANE", "http://other:1", "BERTH_RACK", "r9", "BERTH_AGENT_TOKEN", "tok",
                        "BERTH_KERNEL_LOG", "/var/log/kern.log"));

        assertThat(c).isEqualTo(new AgentConfig(URI.create("http://cp:8080"), "gpu-7", null, dir, "r9",
                c.advertiseAddress(), 3, "tok", Path.of("/var/log/kern.log")));
        assertThat(c.advertiseAddress()).isNotBlank();
        assertThat(c.effectiveRack("from-file")).isEqualTo("r9");
    }

    @Test
    void environmentAloneIsEnough() {
        AgentConfig c = AgentConfig.parse(new String[0], Map.of("BERTH_CONTROL_PLANE", "https://cp", "BERTH_NODE_NAME", "n1",
                "BERTH_HEARTBEAT_SECONDS", "5", "BERTH_ADVERTISE_ADDRESS", "n1.dc"));

        assertThat(c.heartbeatSeconds()).isEqualTo(5);
        assertThat(c.advertiseAddress()).isEqualTo("n1.dc");
        assertThat(c.effectiveRack(null)).isEqualTo("default");
        assertThat(c.effectiveRack("r2")).isEqualTo("r2");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no control plane       | --name=a                                                  | --control-plane     | is required (or set BERTH_CONTROL_PLANE)
            not a URL scheme       | --control-plane=ftp://cp --name=a                         | --control-plane     | must be an http:// or https:// URL
            no name                | --control-plane=http://cp                                 | --name              | is required (or set BERTH_NODE_NAME)
            bad name               | --control-plane=http://cp --name=a/b                      | --name              | must be 1-63 characters
            heartbeat not a number | --control-plane=http://cp --name=a --heartbeat-seconds=x  | --heartbeat-seconds | between 1 and 3600 but was 'x'
            heartbeat zero         | --control-plane=http://cp --name=a --heartbeat-seconds=0  | --heartbeat-seconds | between 1 and 3600 but was '0'
            missing hardware file  | --control-plane=http://cp --name=a --hardware=/nope.yaml  | --hardware          | file not found: /nope.yaml
            unknown flag           | --control-plane=http://cp --name=a --gpus=8               | --gpus              | unknown flag
            flag without value     | --control-plane=http://cp --name                          | --name              | needs a value
            """)
    void rejectsInvalidConfigurationNamingTheFlag(String name, String args, String flag, String problem) {
        assertThatThrownBy(() -> AgentConfig.parse(args.split(" "), Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.flag()).isEqualTo(flag);
                    assertThat(e.getMessage()).contains(problem);
                });
    }

    @Test
    void invalidConfigurationExitsWithCode2AndAClearMessage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = NodeAgent.run(new String[] {"--name=a"}, Map.of(), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("berth-agent: --control-plane: is required");
    }

    @Test
    void invalidHardwareFileExitsWithCode2NamingTheField() throws Exception {
        Path hw = Files.writeString(dir.resolve("hw.yaml"), "cpuMillis: 1000\nmemoryMib: 1024\naccelerators:\n  - {index: 0, kind: GPU}\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = NodeAgent.run(new String[] {"--control-plane=http://127.0.0.1:9", "--name=a", "--hardware=" + hw,
                "--work-dir=" + dir.resolve("work")}, Map.of(), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("berth-agent: --hardware: accelerators[0].vendor: is required (in " + hw);
    }
}
