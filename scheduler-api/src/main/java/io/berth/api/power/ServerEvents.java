package io.berth.api.power;

import io.berth.api.errors.NotFound;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import java.time.Instant;
import java.util.List;

/** What happened to servers (V16's server_events): suspends, resumes and their failures. */
@Component
public class ServerEvents {
    private static final int MAX_REASON = 2000;
    private final JdbcClient jdbc;

    ServerEvents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record ServerEvent(Instant at, String reason) {
    }

    /** Records an event of the named server (nothing when it does not exist), in the caller's transaction if any. */
    public void record(String server, String reason) {
        jdbc.sql("INSERT INTO server_events (server_id, reason) SELECT id, ? FROM servers WHERE name = ?")
                .params(cut(reason, MAX_REASON), server).update();
    }

    /** The server's events, oldest first (at most the last {@code limit}); 404 when the server does not exist. */
    @Transactional(readOnly = true)
    public List<ServerEvent> of(String server, int limit) {
        Long id = jdbc.sql("SELECT id FROM servers WHERE name = ?").param(server).query(Long.class).optional()
                .orElseThrow(() -> NotFound.of("server", server));
        return jdbc.sql("""
                        SELECT at, reason FROM (SELECT id, at, reason FROM server_events WHERE server_id = ?
                                                ORDER BY id DESC LIMIT ?) e ORDER BY id""")
                .params(id, limit)
                .query((rs, n) -> new ServerEvent(rs.getTimestamp(1).toInstant(), rs.getString(2))).list();
    }

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
