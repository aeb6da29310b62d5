package io.berth.api.power;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** berth.power-saving.* as Spring binds it at start-up: defaults, and a bad value named by its key. */
class PowerSavingPropertiesTest {
    private static final Map<String, String> ENABLED = Map.of("berth.power-saving.enabled", "true",
            "berth.power-saving.resume-command", "ipmitool -H {server}-bmc power on");

    static Stream<Arguments> invalid() {
        return Stream.of(
                arguments(Map.of("suspend-after", "0s"), "berth.power-saving.suspend-after must be > 0, was PT0S"),
                arguments(Map.of("keep-idle-on", "-1"), "berth.power-saving.keep-idle-on must be >= 0, was -1"),
                arguments(Map.of("max-suspend-per-minute", "0"), "berth.power-saving.max-suspend-per-minute must be > 0, was 0"),
                arguments(Map.of("max-resume-per-minute", "0"), "berth.power-saving.max-resume-per-minute must be > 0, was 0"),
                arguments(Map.of("resume-timeout", "-5s"), "berth.power-saving.resume-timeout must be > 0, was PT-5S"),
                arguments(Map.of("expected-resume", "-1s"), "berth.power-saving.expected-resume must be >= 0, was PT-1S"),
                arguments(Map.of("suspend-action", "ipmi"),
                        "berth.power-saving.suspend-action must be agent, command or webhook, was 'ipmi'"),
                arguments(Map.of("suspend-action", "command"),
                        "berth.power-saving.suspend-command is required with suspend-action=command"),
                arguments(Map.of("suspend-action", "webhook"),
                        "berth.power-saving.suspend-webhook is required with suspend-action=webhook"),
                arguments(Map.of("resume-webhook", "ftp://x/"),
                        "berth.power-saving.resume-webhook must be an http:// or https:// URL, was 'ftp://x/'"),
                arguments(Map.of("resume-command", ""), "berth.power-saving.resume-command (or "
                        + "berth.power-saving.resume-webhook) is required when power saving is enabled"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalid")
    void aBadValueStopsTheStartUpNamingItsKey(Map<String, String> set, String message) {
        Map<String, String> props = new HashMap<>(ENABLED);
        set.forEach((k, v) -> props.put("berth.power-saving." + k, v));
        assertThatThrownBy(() -> bind(props)).isInstanceOf(BindException.class)
                .rootCause().isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void offByDefaultWithSlurmLikeDefaults() {
        PowerSavingProperties p = bind(Map.of());
        assertThat(p.enabled()).isFalse();
        assertThat(p.suspendByAgent()).isFalse();
        assertThat(p.toCore()).isEqualTo(new io.berth.core.power.PowerSaving(false, Duration.ofMinutes(30), 0, 10, 10,
                Set.of(), Set.of(), Duration.ofMinutes(10), Duration.ofMinutes(3)));
    }

    @Test
    void listsAndDurationsBindAsWritten() {
        Map<String, String> props = new HashMap<>(ENABLED);
        props.put("berth.power-saving.suspend-after", "10m");
        props.put("berth.power-saving.excluded-racks", "r1,r2");
        props.put("berth.power-saving.excluded-servers[0]", "login-1");
        PowerSavingProperties p = bind(props);
        assertThat(p.suspendByAgent()).isTrue();
        assertThat(p.toCore().suspendAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.toCore().excludedRacks()).containsExactlyInAnyOrder("r1", "r2");
        assertThat(p.toCore().excludedServers()).containsExactly("login-1");
    }

    private static PowerSavingProperties bind(Map<String, String> props) {
        return new Binder(new MapConfigurationPropertySource(props))
                .bindOrCreate("berth.power-saving", PowerSavingProperties.class);
    }
}
