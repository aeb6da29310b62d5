package io.berth.api.auth;

import org.springframework.security.oauth2.jwt.Jwt;

import java.util.Locale;

/**
 * Maps an external issuer's JWT to a caller: {@code sub} is the name, the claim {@code berth_role} (admin, operator,
 * user; default user) the role, {@code tenant} the tenant of a user. A user token without a tenant is refused.
 */
final class JwtCallers {
    private JwtCallers() {
    }

    static Caller of(Jwt jwt) {
        String roleClaim = jwt.getClaimAsString("berth_role");
        Role role = roleClaim == null ? Role.USER : Role.valueOf(roleClaim.toUpperCase(Locale.ROOT));
        if (role == Role.AGENT) throw new IllegalArgumentException("agents authenticate with Berth agent tokens");
        String tenant = role == Role.USER ? jwt.getClaimAsString("tenant") : null;
        if (role == Role.USER && (tenant == null || tenant.isBlank()))
            throw new IllegalArgumentException("a user JWT needs a tenant claim");
        return new Caller(jwt.getSubject(), role, tenant, null);
    }
}
