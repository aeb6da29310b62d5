package io.berth.api.health;

import io.berth.api.auth.Caller;
import jakarta.validation.Valid;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/servers/{name}/accelerators/{index}/health")
class AcceleratorHealthController {
    private final AcceleratorHealthService health;

    AcceleratorHealthController(AcceleratorHealthService health) {
        this.health = health;
    }

    /** The accelerator's health, why, whether the policy or an operator set it, and its latest errors (newest first). */
    @GetMapping
    AcceleratorHealthService.HealthView get(@PathVariable String name, @PathVariable int index) {
        return health.health(name, index);
    }

    /**
     * Sets the health (operators and admins). HEALTHY puts a GPU the health policy took out back in service and lets
     * its agent's probe decide again; DEGRADED or UNHEALTHY take it out until set again. A drained server stays
     * drained: {@code POST /api/v1/servers/{name}/ready} puts it back.
     */
    @PutMapping
    AcceleratorHealthService.HealthView put(@PathVariable String name, @PathVariable int index,
                                            @Valid @RequestBody AcceleratorHealthService.HealthChange change) {
        return health.setHealth(name, index, change, Caller.current().name());
    }
}
