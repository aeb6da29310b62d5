package io.berth.api.scheduling;

import io.berth.api.errors.Invalid;
import io.berth.api.errors.NotFound;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * Tenant quotas: how much GPU (milli-GPU) and CPU (millicores) a tenant's running jobs may hold at once. Requests and
 * answers use the same field names ({@code gpuMilli}, {@code cpuMillis}). A tenant without a quota is unlimited;
 * removing a quota is an explicit DELETE, never a side effect of a PUT.
 */
@RestController
class QuotaController {
    private static final String TENANT = "^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$";

    private final Quotas quotas;

    QuotaController(Quotas quotas) {
        this.quotas = quotas;
    }

    /**
     * At least one of the two must be given; the one left out (or null) is not limited.
     *
     * @param gpuMilli  milli-GPU, >= 0
     * @param cpuMillis millicores, >= 0
     */
    record QuotaSpec(@PositiveOrZero Long gpuMilli, @PositiveOrZero Long cpuMillis) {
    }

    @GetMapping("/api/v1/quotas")
    List<Quotas.Limit> list() {
        return quotas.all();
    }

    @GetMapping("/api/v1/quotas/{tenant}")
    Quotas.Limit get(@PathVariable @Pattern(regexp = TENANT) String tenant) {
        return quotas.find(tenant).orElseThrow(() -> NotFound.of("quota of tenant", tenant));
    }

    /** Sets (replaces) the tenant's quota. */
    @PutMapping("/api/v1/quotas/{tenant}")
    Quotas.Limit put(@PathVariable @Pattern(regexp = TENANT) String tenant, @Valid @RequestBody QuotaSpec spec) {
        if (spec.gpuMilli() == null && spec.cpuMillis() == null)
            throw Invalid.field("body", "give gpuMilli, cpuMillis or both; to remove the quota, DELETE it");
        Quotas.Limit limit = new Quotas.Limit(tenant, spec.gpuMilli(), spec.cpuMillis());
        quotas.set(limit);
        return limit;
    }

    /** Removes the tenant's quota: 204, or 404 when it had none. */
    @DeleteMapping("/api/v1/quotas/{tenant}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable @Pattern(regexp = TENANT) String tenant) {
        if (!quotas.remove(tenant)) throw NotFound.of("quota of tenant", tenant);
    }
}
