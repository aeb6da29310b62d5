package io.berth.api.scheduling;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** Tenant quotas: how much GPU (milli-GPU) and CPU (millicores) a tenant's running jobs may hold at once. */
@RestController
class QuotaController {
    private final Quotas quotas;

    QuotaController(Quotas quotas) {
        this.quotas = quotas;
    }

    /** @param gpuMilli null = unlimited; {@code cpuMillis} likewise */
    record QuotaSpec(@PositiveOrZero Long gpuMilli, @PositiveOrZero Long cpuMillis) {
    }

    @GetMapping("/api/v1/quotas")
    List<Quotas.Limit> list() {
        return quotas.all();
    }

    @PutMapping("/api/v1/quotas/{tenant}")
    Quotas.Limit put(@PathVariable @Pattern(regexp = "^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$") String tenant,
                     @Valid @RequestBody QuotaSpec spec) {
        Quotas.Limit limit = new Quotas.Limit(tenant, spec.gpuMilli(), spec.cpuMillis());
        quotas.set(limit);
        return limit;
    }
}
