package io.berth.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;

/**
 * Where the CLI finds its server and token. The config file is {@code $BERTH_CONFIG}, else
 * {@code $XDG_CONFIG_HOME/berth/config}, else {@code $HOME/.config/berth/config} (HOME from the environment, so
 * {@code HOME=/x berth ...} uses /x); a properties file with {@code server} and {@code token}, written readable by its
 * owner only. {@code BERTH_SERVER} and {@code BERTH_TOKEN} override what the file says.
 */
final class Config {
    private Config() {
    }

    /** The server's base URL (no trailing slash) and the bearer token (null = none). */
    record Target(URI server, String token) {
    }

    static Path file(Map<String, String> env) {
        String explicit = env.get("BERTH_CONFIG");
        if (explicit != null && !explicit.isBlank()) return Path.of(explicit);
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "berth", "config");
        String home = env.get("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".config", "berth",
                "config");
    }

    static Properties read(Path file) {
        Properties p = new Properties();
        if (!Files.exists(file)) return p;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw Berth.CliException.usage("cannot read " + file + ": " + e.getMessage());
        }
        return p;
    }

    static Target target(Map<String, String> env) {
        Properties p = read(file(env));
        String server = firstSet(env.get("BERTH_SERVER"), p.getProperty("server"));
        String token = firstSet(env.get("BERTH_TOKEN"), p.getProperty("token"));
        if (server == null)
            throw Berth.CliException.usage("no server: run 'berth login --server URL' or set BERTH_SERVER");
        return new Target(serverUri(server), token);
    }

    /** The URL as given, checked: http or https with a host; a trailing slash is dropped. */
    static URI serverUri(String s) {
        String trimmed = s.strip().replaceAll("/+$", "");
        try {
            URI u = URI.create(trimmed);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null)
                throw new IllegalArgumentException();
            return u;
        } catch (IllegalArgumentException e) {
            throw Berth.CliException.usage("server '" + s + "' is not an http:// or https:// URL");
        }
    }

    /**
     * Writes server and token to the file, readable and writable by its owner only (0600, its directory 0700 when
     * created): the file is created with those permissions and then moved into place, so the token is never readable
     * by others, not even for a moment.
     */
    static void save(Path file, URI server, String token) {
        Properties p = new Properties();
        p.setProperty("server", server.toString());
        p.setProperty("token", token);
        try {
            Path dir = file.toAbsolutePath().getParent();
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            if (!Files.exists(dir)) {
                if (posix) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
                else Files.createDirectories(dir);
            }
            Path tmp = posix ? Files.createTempFile(dir, ".config", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, ".config", ".tmp");
            StringWriter text = new StringWriter();
            p.store(text, "berth CLI: written by 'berth login'");
            Files.writeString(tmp, text.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String firstSet(String a, String b) {
        if (a != null && !a.isBlank()) return a.strip();
        if (b != null && !b.isBlank()) return b.strip();
        return null;
    }
}
