package io.berth.api.auth;

import io.berth.api.errors.Forbidden;
import io.berth.api.errors.NotFound;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Who is calling: the authenticated principal of the request, from a Berth token or an external JWT.
 *
 * @param tenant the only tenant a USER acts for; null for other roles
 * @param server the only server an AGENT speaks for; null for other roles
 */
public record Caller(String name, Role role, String tenant, String server) implements OAuth2AuthenticatedPrincipal {

    /** The caller of the current request; fails (500) if called outside an authenticated request. */
    public static Caller current() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof Caller c) return c;
        if (auth != null && auth.getPrincipal() instanceof Jwt jwt) return JwtCallers.of(jwt);
        throw new IllegalStateException("no authenticated caller");
    }

    public boolean seesAllTenants() {
        return role == Role.ADMIN || role == Role.OPERATOR;
    }

    /** 404 (not 403) for another tenant's job, so ids of other tenants' jobs do not leak. */
    public void requireTenant(String jobTenant, String what, String id) {
        if (!seesAllTenants() && !jobTenant.equals(tenant)) throw NotFound.of(what, id);
    }

    /** An agent may only speak for its own server; an enrollment token (no server) only registers. */
    public void requireServer(String name) {
        if (role == Role.AGENT && server == null)
            throw Forbidden.of("an enrollment token may only register; use the token returned by registration");
        if (role == Role.AGENT && !name.equals(server))
            throw Forbidden.of("this agent token is bound to server '" + server + "'");
    }

    /** An AGENT token without a server: it may register any server and receives a token bound to it. */
    public boolean enrollment() {
        return role == Role.AGENT && server == null;
    }

    @Override
    public Map<String, Object> getAttributes() {
        return Map.of();
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        return List.of(new SimpleGrantedAuthority("ROLE_" + role.name()));
    }

    @Override
    public String getName() {
        return name;
    }
}
