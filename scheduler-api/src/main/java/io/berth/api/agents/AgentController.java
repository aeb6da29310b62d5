package io.berth.api.agents;

import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

import java.util.UUID;

/** Endpoints the node agents call. */
@RestController
@RequestMapping("/api/v1/agents")
class AgentController {
    private final AgentService agents;
    private final HeldHeartbeats held;

    AgentController(AgentService agents, HeldHeartbeats held) {
        this.agents = agents;
        this.held = held;
    }

    @PostMapping("/register")
    AgentProtocol.RegisterResponse register(@Valid @RequestBody AgentProtocol.RegisterRequest request) {
        return agents.register(request);
    }

    @PostMapping("/{name}/heartbeat")
    AgentProtocol.HeartbeatResponse heartbeat(@PathVariable String name,
                                              @Valid @RequestBody AgentProtocol.HeartbeatRequest request) {
        return agents.heartbeat(name, request);
    }

    /**
     * Long-poll variant: with nothing to start or stop, the answer is held for up to {@code waitSeconds} (at most the
     * heartbeat interval) and sent as soon as work is placed on this server. Agents that do not send the parameter
     * get the plain heartbeat above.
     */
    @PostMapping(value = "/{name}/heartbeat", params = "waitSeconds")
    DeferredResult<AgentProtocol.HeartbeatResponse> heartbeatOrWait(@PathVariable String name,
                                                                    @RequestParam int waitSeconds,
                                                                    @Valid @RequestBody AgentProtocol.HeartbeatRequest request) {
        return held.heartbeat(name, request, waitSeconds);
    }

    @PostMapping("/{name}/workers/{workerId}/metrics")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void metrics(@PathVariable String name, @PathVariable UUID workerId,
                 @Valid @RequestBody AgentProtocol.MetricsReport report) {
        agents.metrics(name, workerId, report);
    }

    @PostMapping("/{name}/workers/{workerId}/logs")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void logs(@PathVariable String name, @PathVariable UUID workerId, @Valid @RequestBody AgentProtocol.LogBatch batch) {
        agents.logs(name, workerId, batch);
    }
}
