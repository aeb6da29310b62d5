package io.berth.api.power;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** A server's events (suspended, resuming, resume failed...), oldest first, the last 200. */
@RestController
@RequestMapping("/api/v1/servers")
class ServerEventController {
    private final ServerEvents events;

    ServerEventController(ServerEvents events) {
        this.events = events;
    }

    @GetMapping("/{name}/events")
    List<ServerEvents.ServerEvent> events(@PathVariable String name) {
        return events.of(name, 200);
    }
}
