package io.berth.api.power;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** The cluster's power now and over the last minutes (any authenticated role, like the utilization). */
@RestController
class PowerController {
    private final ClusterPowerService power;

    PowerController(ClusterPowerService power) {
        this.power = power;
    }

    /** @param samples one per sampling period (berth.power.sample-seconds), oldest first */
    record PowerHistoryView(double pue, List<PowerHistory.Sample> samples) {
    }

    @GetMapping("/api/v1/cluster/power")
    PowerFigures.ClusterPower now() {
        return power.now();
    }

    /** What this replica sampled in the last {@code minutes} (1..1440) since it started. */
    @GetMapping("/api/v1/cluster/power/history")
    PowerHistoryView history(@RequestParam(defaultValue = "60") @Min(1) @Max(1440) int minutes) {
        return new PowerHistoryView(power.pue(), power.history(minutes));
    }
}
