package io.berth.api.auth;

import io.berth.api.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.OpaqueTokenAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;

import java.io.IOException;

/**
 * Every /api call needs a bearer token: a Berth token (checked against its stored hash) or, when
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} (or jwk-set-uri) is set, a JWT from that issuer.
 * Role rules by path are here; tenant and server binding are checked by the features (see {@link Caller}).
 * OpenAPI and the dashboard's static files stay open. Actuator endpoints are served only on the management port ({@code management.server.port},
 * default 8081, meant to stay inside the cluster): there health and info, and Prometheus unless
 * {@code berth.auth.public-metrics=false}, need no token; the other actuator endpoints need an admin token.
 * Denials are problem details.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    @Bean
    SecurityFilterChain api(HttpSecurity http, TokenService tokens, ObjectProvider<JwtDecoder> jwtDecoder,
                            AuditFilter audit,
                            @Value("${berth.auth.public-metrics:true}") boolean publicMetrics) throws Exception {
        AuthenticationManager opaque = new ProviderManager(new OpaqueTokenAuthenticationProvider(introspector(tokens)));
        JwtDecoder decoder = jwtDecoder.getIfAvailable();
        AuthenticationManager jwt = decoder == null ? null : new ProviderManager(jwtProvider(decoder));
        AuthenticationManagerResolver<HttpServletRequest> resolver = request -> {
            String header = request.getHeader("Authorization");
            boolean looksLikeJwt = header != null && header.chars().filter(c -> c == '.').count() == 2;
            return jwt != null && looksLikeJwt ? jwt : opaque;
        };
        http.csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .oauth2ResourceServer(o -> o.authenticationManagerResolver(resolver)
                        .authenticationEntryPoint((req, res, e) -> problem(res, 401, "unauthorized",
                                "a valid bearer token is required"))
                        .accessDeniedHandler((req, res, e) -> problem(res, 403, "forbidden",
                                "your role may not do this")))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((req, res, ex) -> problem(res, 401, "unauthorized",
                                "a valid bearer token is required"))
                        .accessDeniedHandler((req, res, ex) -> problem(res, 403, "forbidden",
                                "your role may not do this")))
                // before the bearer token check, so that calls with an invalid token are audited too
                .addFilterBefore(audit, BearerTokenAuthenticationFilter.class)
                .authorizeHttpRequests(a -> {
                    a.requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info").permitAll();
                    if (publicMetrics) a.requestMatchers("/actuator/prometheus").permitAll();
                    a.requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html").permitAll();
                    // the dashboard's static pages and scripts; the data they show comes from /api with a token
                    a.requestMatchers(HttpMethod.GET, "/", "/index.html", "/dashboard/**", "/webjars/echarts/**",
                            "/favicon.ico").permitAll();
                    a.requestMatchers("/api/v1/agents/**").hasAnyRole("AGENT", "ADMIN");
                    a.requestMatchers("/api/v1/tokens", "/api/v1/tokens/**", "/api/v1/audit").hasRole("ADMIN");
                    a.requestMatchers(HttpMethod.PUT, "/api/v1/quotas/**").hasRole("ADMIN");
                    a.requestMatchers(HttpMethod.DELETE, "/api/v1/quotas/**").hasRole("ADMIN");
                    a.requestMatchers("/api/v1/jobs", "/api/v1/jobs/**").hasAnyRole("ADMIN", "OPERATOR", "USER");
                    a.requestMatchers(HttpMethod.GET, "/api/v1/servers", "/api/v1/servers/**", "/api/v1/topology",
                            "/api/v1/racks", "/api/v1/racks/**", "/api/v1/zones", "/api/v1/switches", "/api/v1/links",
                            "/api/v1/volumes", "/api/v1/volumes/**", "/api/v1/quotas", "/api/v1/quotas/*",
                            "/api/v1/cluster/allocation", "/api/v1/reports/usage")
                            .hasAnyRole("ADMIN", "OPERATOR", "USER");
                    a.requestMatchers(HttpMethod.GET, "/api/v1/cluster/utilization", "/api/v1/cluster/packing",
                            "/api/v1/cluster/tenants", "/api/v1/cluster/power", "/api/v1/cluster/power/history")
                            .hasAnyRole("ADMIN", "OPERATOR", "USER");
                    a.requestMatchers("/api/**").hasAnyRole("ADMIN", "OPERATOR");
                    a.anyRequest().hasRole("ADMIN");
                });
        return http.build();
    }

    /**
     * No observations of the security filters, authentication or authorization: with them, every filter of the chain
     * is wrapped and named per request, a measurable share of an agent heartbeat's CPU; the http.server.requests
     * observation already times whole requests.
     */
    @Bean
    SecurityObservationSettings securityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    private static OpaqueTokenIntrospector introspector(TokenService tokens) {
        return token -> tokens.authenticate(token)
                .orElseThrow(() -> new BadOpaqueTokenException("unknown or revoked token"));
    }

    private static JwtAuthenticationProvider jwtProvider(JwtDecoder decoder) {
        JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder);
        provider.setJwtAuthenticationConverter(jwt -> {
            Caller caller;
            try {
                caller = JwtCallers.of(jwt);
            } catch (IllegalArgumentException e) {
                throw new BadCredentialsException(e.getMessage());
            }
            return new org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken(
                    jwt, caller.getAuthorities(), caller.name()) {
                @Override
                public Object getPrincipal() {
                    return caller;
                }
            };
        });
        return provider;
    }

    static void problem(HttpServletResponse res, int status, String slug, String detail) throws IOException {
        if (status == 401) res.setHeader("WWW-Authenticate", "Bearer");
        Problems.write(res, status, slug, detail, null);
    }
}
