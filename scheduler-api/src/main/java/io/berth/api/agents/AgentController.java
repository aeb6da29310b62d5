package io.berth.api.agents;

import io.berth.core.protocol.RegisterResponse;
import io.berth.core.protocol.HeartbeatResponse;
import io.berth.core.protocol.HeartbeatRequest;
import io.berth.core.protocol.MetricsReport;
import io.berth.core.protocol.LogBatch;
import io.berth.core.protocol.RegisterRequest;
import io.berth.api.auth.Caller;
import io.berth.api.auth.TokenService;
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
    private final AgentRegistration registration;
    private final AgentService agents;
    private final AgentTelemetry telemetry;
    private final TokenService tokens;
    private final HeldHeartbeats held;

    AgentController(AgentRegistration registration, AgentService agents, AgentTelemetry telemetry,
                    TokenService tokens, HeldHeartbeats held) {
        this.registration = registration;
        this.agents = agents;
        this.telemetry = telemetry;
        this.tokens = tokens;
        this.held = held;
    }

    @PostMapping("/register")
    RegisterResponse register(@Valid @RequestBody RegisterRequest request) {
        Caller caller = Caller.current();
        if (!caller.enrollment()) caller.requireServer(request.name());
        RegisterResponse registered = registration.register(request);
        if (!caller.enrollment()) return registered;
        return new RegisterResponse(registered.serverName(), registered.heartbeatIntervalSeconds(),
                tokens.enroll(request.name()).token(), registered.idlePowerWatts(), registered.peakPowerWatts());
    }

    @PostMapping("/{name}/heartbeat")
    HeartbeatResponse heartbeat(@PathVariable String name,
                                              @Valid @RequestBody HeartbeatRequest request) {
        Caller.current().requireServer(name);
        return agents.heartbeat(name, request);
    }

    /**
     * Long-poll variant: with nothing to start or stop, the answer is held for up to {@code waitSeconds} (at most the
     * heartbeat interval) and sent as soon as work is placed on this server. Agents that do not send the parameter
     * get the plain heartbeat above.
     */
    @PostMapping(value = "/{name}/heartbeat", params = "waitSeconds")
    DeferredResult<HeartbeatResponse> heartbeatOrWait(@PathVariable String name,
                                                                    @RequestParam int waitSeconds,
                                                                    @Valid @RequestBody HeartbeatRequest request) {
        Caller.current().requireServer(name);
        return held.heartbeat(name, request, waitSeconds);
    }

    @PostMapping("/{name}/workers/{workerId}/metrics")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void metrics(@PathVariable String name, @PathVariable UUID workerId,
                 @Valid @RequestBody MetricsReport report) {
        Caller.current().requireServer(name);
        telemetry.metrics(name, workerId, report);
    }

    @PostMapping("/{name}/workers/{workerId}/logs")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void logs(@PathVariable String name, @PathVariable UUID workerId, @Valid @RequestBody LogBatch batch) {
        Caller.current().requireServer(name);
        telemetry.logs(name, workerId, batch);
    }
}
