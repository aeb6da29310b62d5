package io.berth.api.inventory;

import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.berth.api.errors.Invalid;
import io.berth.api.paging.Page;
import io.berth.core.inventory.ServerState;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;

@RestController
@RequestMapping("/api/v1/servers")
class ServerController {
    private final ServerService servers;

    ServerController(ServerService servers) {
        this.servers = servers;
    }

    @PostMapping
    @ApiResponse(responseCode = "201", description = "created", useReturnTypeSchema = true)
    ResponseEntity<ServerView> create(@Valid @RequestBody ServerSpec spec) {
        ServerView created = servers.create(spec);
        return ResponseEntity.created(URI.create("/api/v1/servers/" + created.name())).body(created);
    }

    /**
     * Creates or replaces the server; the body's name must match the path. 201 when created, 200 when replaced, 409
     * (nothing changed) when the replacement would remove or shrink resources that jobs hold.
     */
    @PutMapping("/{name}")
    @ApiResponse(responseCode = "201", description = "created", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "200", description = "replaced", useReturnTypeSchema = true)
    ResponseEntity<ServerView> put(@PathVariable String name, @Valid @RequestBody ServerSpec spec) {
        if (!name.equals(spec.name())) throw Invalid.field("name", "must match the path ('" + name + "')");
        boolean created = servers.put(spec);
        return ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK).body(servers.server(name));
    }

    /**
     * Lists servers ordered by name. {@code label} is {@code key=value} (exact) or {@code key} (present).
     * {@code page} is 0-based, {@code size} 1 to 500.
     */
    @GetMapping
    Page<ServerView> list(@RequestParam(required = false) ServerState state,
                          @RequestParam(required = false) String rack,
                          @RequestParam(required = false) String acceleratorModel,
                          @RequestParam(required = false) String label,
                          @RequestParam(defaultValue = "0") @Min(0) int page,
                          @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
        String key = null;
        String value = null;
        if (label != null) {
            int eq = label.indexOf('=');
            key = eq < 0 ? label : label.substring(0, eq);
            value = eq < 0 ? null : label.substring(eq + 1);
            if (key.isBlank()) throw Invalid.field("label", "expected key=value or key");
        }
        return servers.servers(new ServerFilter(state, rack, acceleratorModel, key, value), page, size);
    }

    @GetMapping("/{name}")
    ServerView get(@PathVariable String name) {
        return servers.server(name);
    }

    @GetMapping("/{name}/accelerators")
    List<AcceleratorSpec> accelerators(@PathVariable String name) {
        return servers.server(name).accelerators();
    }

    @GetMapping("/{name}/storage")
    List<LocalDeviceSpec> storage(@PathVariable String name) {
        return servers.server(name).localDevices();
    }

    /** @param reason why (shown with the server until it is READY again); optional */
    record StateChange(@NotNull ServerState state, @Size(max = 500) String reason) {
    }

    /** The optional body of cordon and drain. */
    record Reason(@Size(max = 500) String reason) {
        static String of(Reason body) {
            return body == null ? null : clean(body.reason());
        }

        /** Blank is no reason. */
        static String clean(String reason) {
            return reason == null || reason.isBlank() ? null : reason.strip();
        }
    }

    /**
     * Sets the state. DRAINING drains (as {@code /drain}); DRAINED cannot be set, it follows from draining once no
     * worker is active (400); nor can the power states, which are idle power management's (400).
     */
    @PutMapping("/{name}/state")
    ServerView changeState(@PathVariable String name, @Valid @RequestBody StateChange change) {
        if (change.state() == ServerState.DRAINED)
            throw Invalid.field("state", "DRAINED follows from draining once no worker is active on the server; "
                    + "set DRAINING (or POST /api/v1/servers/" + name + "/drain)");
        if (change.state() == ServerState.POWERING_OFF || change.state() == ServerState.POWERED_OFF
                || change.state() == ServerState.RESUMING)
            throw Invalid.field("state", change.state() + " is set by idle power management "
                    + "(berth.power-saving), not by hand; an operator may cordon, drain or make READY a server in it");
        String reason = Reason.clean(change.reason());
        if (change.state() == ServerState.DRAINING) return servers.drain(name, reason);
        return servers.changeState(name, change.state(), reason);
    }

    /**
     * CORDONED: no new work is placed on the server; running work continues, and the server stays cordoned. An
     * optional body {@code {"reason": "..."}} says why (kept until the server is READY again).
     */
    @PostMapping("/{name}/cordon")
    ServerView cordon(@PathVariable String name, @Valid @RequestBody(required = false) Reason body) {
        return servers.changeState(name, ServerState.CORDONED, Reason.of(body));
    }

    /**
     * DRAINING: no new work is placed on the server; running work continues, and once no worker is active there the
     * server is DRAINED (at once when it is idle). Nothing is evicted: cancel or preempt jobs to drain sooner. An
     * optional body {@code {"reason": "..."}} says why (kept until the server is READY again).
     */
    @PostMapping("/{name}/drain")
    ServerView drain(@PathVariable String name, @Valid @RequestBody(required = false) Reason body) {
        return servers.drain(name, Reason.of(body));
    }

    @PostMapping("/{name}/ready")
    ServerView ready(@PathVariable String name) {
        return servers.changeState(name, ServerState.READY, null);
    }

    @DeleteMapping("/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String name) {
        servers.delete(name);
    }
}
