package io.berth.api.inventory;

import io.berth.api.auth.Caller;
import io.berth.api.auth.Role;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * What is allocated where, for {@code berth nodes} and the dashboard. Every role that may read servers sees every
 * server's counters; a USER sees only its own tenant's workers as holders.
 */
@RestController
class AllocationController {
    private final InventoryService inventory;

    AllocationController(InventoryService inventory) {
        this.inventory = inventory;
    }

    /** Every server with its accelerators counted per model (free = nothing allocated and not UNHEALTHY). */
    @GetMapping("/api/v1/cluster/allocation")
    ServerAllocation.Cluster cluster() {
        return inventory.clusterAllocation();
    }

    /** One server's CPU, memory and per-accelerator allocation with the workers holding each. */
    @GetMapping("/api/v1/servers/{name}/allocation")
    ServerAllocation server(@PathVariable String name) {
        Caller caller = Caller.current();
        return inventory.allocation(name, caller.role() == Role.USER ? caller.tenant() : null);
    }
}
