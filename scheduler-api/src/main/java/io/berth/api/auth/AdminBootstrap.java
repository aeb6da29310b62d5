package io.berth.api.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Makes sure an administrator can get in. With {@code berth.auth.admin-token} (env BERTH_AUTH_ADMIN_TOKEN, e.g. from
 * a Kubernetes Secret) that token is stored as an admin token. Otherwise, when no admin token exists yet, one is
 * issued and written to {@code berth.auth.admin-token-file} (default ~/.berth/admin-token) with owner-only
 * permissions; the log names the file, never the token. {@code berth.auth.agent-enrollment-token} (env
 * BERTH_AUTH_AGENT_ENROLLMENT_TOKEN) stores a shared agent enrollment token.
 */
@Component
public class AdminBootstrap {
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final TokenService tokens;
    private final String configuredToken;
    private final Path tokenFile;
    private final String enrollmentToken;
    private volatile String tokenSource = "not set up yet";

    AdminBootstrap(TokenService tokens, @Value("${berth.auth.admin-token:}") String configuredToken,
                   @Value("${berth.auth.admin-token-file:${user.home}/.berth/admin-token}") String tokenFile,
                   @Value("${berth.auth.agent-enrollment-token:}") String enrollmentToken) {
        this.tokens = tokens;
        this.configuredToken = configuredToken;
        this.tokenFile = Path.of(tokenFile);
        this.enrollmentToken = enrollmentToken;
    }

    /** Early among the ready listeners: the start-up line ({@code ReadyLine}, last) says where the token is. */
    @EventListener(ApplicationReadyEvent.class)
    @org.springframework.core.annotation.Order(0)
    void ensureAdmin() throws IOException {
        if (!enrollmentToken.isBlank()) {
            // shared by a fleet of agents (the Helm chart's DaemonSet): it may only register, see Caller.enrollment()
            tokens.store("agent-enrollment", Role.AGENT, null, null, enrollmentToken);
        }
        Path file = tokenFile.toAbsolutePath();
        if (!configuredToken.isBlank()) {
            tokens.store("bootstrap-admin", Role.ADMIN, null, null, configuredToken);
            tokenSource = "admin token from berth.auth.admin-token";
            return;
        }
        if (tokens.anyActiveAdmin()) {
            tokenSource = Files.isRegularFile(file) ? "admin token in " + file
                    : "admin token issued earlier (no longer in " + file + ")";
            return;
        }
        TokenService.Issued admin = tokens.issue("first-admin", Role.ADMIN, null, null);
        writeOwnerOnly(tokenFile, admin.token());
        tokenSource = "admin token in " + file;
        log.info("issued the first admin token; it is in {} (readable by this user only)", file);
    }

    /**
     * Where an administrator finds a token, for the start-up line: {@code admin token in <file>}, or from the
     * setting, or issued earlier when the file is gone. Never the token itself. Set once the application is ready.
     */
    public String adminTokenSource() {
        return tokenSource;
    }

    static void writeOwnerOnly(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, content + System.lineSeparator());
    }
}
