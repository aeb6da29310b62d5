package io.berth.api.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/**
 * An external JWT issuer for the tests: the control plane trusts its public key (the same JwtDecoder bean an
 * issuer-uri would configure), and tests sign tokens with its private key.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestJwtIssuer {
    private static final KeyPair KEYS = generate();

    private static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Bean
    JwtDecoder jwtDecoder() {
        return NimbusJwtDecoder.withPublicKey((RSAPublicKey) KEYS.getPublic()).build();
    }

    /** A signed JWT with these claims, valid for {@code lifetimeSeconds} (negative = already expired). */
    public static String sign(String subject, Map<String, Object> claims, long lifetimeSeconds) {
        try {
            JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject(subject).issuer("https://idp.test")
                    .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(lifetimeSeconds)));
            claims.forEach(b::claim);
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), b.build());
            jwt.sign(new RSASSASigner(KEYS.getPrivate()));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
