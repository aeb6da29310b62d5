package io.berth.api.auth;

import io.berth.api.errors.Invalid;
import io.berth.api.errors.NotFound;
import io.berth.api.paging.Page;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.UUID;

/** Admin endpoints: issue, list and revoke tokens; read the audit log. */
@RestController
class TokenController {
    private final TokenService tokens;
    private final AuditLog audit;

    TokenController(TokenService tokens, AuditLog audit) {
        this.tokens = tokens;
        this.audit = audit;
    }

    /**
     * @param tenant required for USER tokens
     * @param server for AGENT tokens: the one server it may speak for; omitted = an enrollment token for a fleet of
     *               agents (e.g. a DaemonSet), which may only register and gets a server-bound token back
     */
    record TokenRequest(@NotBlank @Size(max = 128) String name, @NotNull Role role, @Size(max = 128) String tenant,
                        @Size(max = 253) String server) {
    }

    @PostMapping("/api/v1/tokens")
    @ResponseStatus(HttpStatus.CREATED)
    TokenService.Issued issue(@Valid @RequestBody TokenRequest r) {
        if (r.role() == Role.USER && (r.tenant() == null || r.tenant().isBlank()))
            throw Invalid.field("tenant", "required for a USER token");
        if (r.role() != Role.USER && r.tenant() != null) throw Invalid.field("tenant", "only for USER tokens");
        if (r.role() == Role.AGENT && r.server() != null && r.server().isBlank())
            throw Invalid.field("server", "must not be blank");
        if (r.role() != Role.AGENT && r.server() != null) throw Invalid.field("server", "only for AGENT tokens");
        return tokens.issue(r.name(), r.role(), r.tenant(), r.server());
    }

    @GetMapping("/api/v1/tokens")
    List<TokenService.TokenInfo> list() {
        return tokens.list();
    }

    @DeleteMapping("/api/v1/tokens/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void revoke(@PathVariable UUID id) {
        if (!tokens.revoke(id)) throw NotFound.of("token", id.toString());
    }

    /** Newest first. */
    @GetMapping("/api/v1/audit")
    Page<AuditLog.AuditEntry> audit(@RequestParam(defaultValue = "0") @Min(0) int page,
                                    @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int size) {
        return audit.page(page, size);
    }
}
