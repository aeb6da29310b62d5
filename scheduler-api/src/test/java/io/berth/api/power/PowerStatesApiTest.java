package io.berth.api.power;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import io.berth.api.auth.Role;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The power states as agents and operators meet them (power saving itself is off in this context: its decisions are
 * PowerPolicyTest's, the whole cycle PowerSavingEndToEndTest's). The heartbeat timeout is 5 s here.
 */
class PowerStatesApiTest extends ApiTestBase {
    private String agentToken;

    @BeforeEach
    void registerAgent() {
        agentToken = tokens.issue("agent-n1", Role.AGENT, null, "n1").token();
        assertThat(asAgent(() -> postJson("/api/v1/agents/register",
                "{\"name\":\"n1\",\"cpuMillis\":8000,\"memoryMib\":16384,\"networkMbps\":0}")).status()).isEqualTo(200);
    }

    static Stream<Arguments> heartbeats() {
        return Stream.of(
                arguments("a resuming server's agent reports: READY", "RESUMING", 10, "{}", "READY",
                        "resumed: its agent reports again"),
                arguments("the agent says it suspends: POWERED_OFF", "POWERING_OFF", 1, "{\"power\":\"SUSPENDING\"}",
                        "POWERED_OFF", "powered off: its agent runs the suspend command"),
                arguments("the agent could not suspend: READY again", "POWERING_OFF", 1,
                        "{\"powerError\":\"this agent has no --suspend-command\"}", "READY",
                        "suspend failed: this agent has no --suspend-command"),
                // 1 s < the 5 s heartbeat timeout: the machine may still be going down
                arguments("a report just after the suspend changes nothing", "POWERED_OFF", 1, "{}", "POWERED_OFF", null),
                arguments("a suspended server woken by other means: READY", "POWERED_OFF", 3600, "{}", "READY",
                        "powered on: its agent reports again"),
                // suspending is not the agent's job while power saving is off: no directive either
                arguments("powering off without power saving: no directive", "POWERING_OFF", 1, "{}", "POWERING_OFF", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("heartbeats")
    void heartbeatsMovePowerStates(String name, String before, int changedSecondsAgo, String heartbeat, String after,
                                   String event) {
        jdbc.update("""
                UPDATE servers SET state = ?, state_reason = 'by power saving',
                    power_changed_at = now() - make_interval(secs => ?) WHERE name = 'n1'""", before, changedSecondsAgo);

        Response r = asAgent(() -> postJson("/api/v1/agents/n1/heartbeat", heartbeat));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat((Boolean) JsonPath.read(r.body(), "$.suspend")).isFalse();
        assertThat(jdbc.queryForList("SELECT state, state_reason FROM servers WHERE name = 'n1'").get(0))
                .containsEntry("state", after)
                .containsEntry("state_reason", after.equals("READY") ? null : "by power saving");
        List<String> events = JsonPath.read(get("/api/v1/servers/n1/events").body(), "$[*].reason");
        assertThat(events).isEqualTo(event == null ? List.of() : List.of(event));
    }

    @Test
    void aRegistrationMeansTheServerRunsAgain() {
        jdbc.update("UPDATE servers SET state = 'POWERED_OFF', power_changed_at = now() WHERE name = 'n1'");

        registerAgent();

        assertThat(jdbc.queryForObject("SELECT state FROM servers WHERE name = 'n1'", String.class)).isEqualTo("READY");
        assertThat((List<String>) JsonPath.read(get("/api/v1/servers/n1/events").body(), "$[*].reason"))
                .containsExactly("powered on: its agent registered");
    }

    @Test
    void operatorsCannotSetPowerStatesButCanTakeServersOutOfThem() {
        for (String state : List.of("POWERING_OFF", "POWERED_OFF", "RESUMING")) {
            Response r = put("/api/v1/servers/n1/state", "{\"state\":\"" + state + "\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat((String) JsonPath.read(r.body(), "$.errors[0].field")).isEqualTo("state");
            assertThat((String) JsonPath.read(r.body(), "$.errors[0].message"))
                    .isEqualTo(state + " is set by idle power management (berth.power-saving), not by hand; an "
                            + "operator may cordon, drain or make READY a server in it");
        }
        jdbc.update("UPDATE servers SET state = 'POWERED_OFF', state_reason = 'suspended' WHERE name = 'n1'");
        assertThat((String) JsonPath.read(get("/api/v1/servers/n1").body(), "$.state")).isEqualTo("POWERED_OFF");
        assertThat(postJson("/api/v1/servers/n1/cordon", "{\"reason\":\"PSU\"}").status()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT state FROM servers WHERE name = 'n1'", String.class)).isEqualTo("CORDONED");
    }

    @Test
    void eventsOfAnUnknownServerAre404() {
        Response r = get("/api/v1/servers/nowhere/events");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    }

    private Response asAgent(java.util.function.Supplier<Response> call) {
        String admin = token;
        token = agentToken;
        try {
            return call.get();
        } finally {
            token = admin;
        }
    }
}
