package io.berth.api.agents;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One row the heartbeat monitor cannot handle (here: a trigger refuses its update, as a broken constraint would) is
 * logged and skipped; failure handling goes on for every other server and job, and the row is handled once it can be.
 */
class HeartbeatMonitorIsolationTest extends ApiTestBase {

    @AfterEach
    void dropTriggers() {
        jdbc.execute("DROP TRIGGER IF EXISTS refuse_bad_row ON servers");
        jdbc.execute("DROP TRIGGER IF EXISTS refuse_bad_row ON jobs");
        jdbc.execute("DROP FUNCTION IF EXISTS refuse_bad_row()");
    }

    @Test
    void aServerThatCannotBeMarkedDoesNotStopTheOthers() throws Exception {
        // the bad one first, so that a monitor stopping at the first failure would never reach the good one
        liveServer("bad", "default", 1, "H100", 8000, 16384);
        liveServer("good", "default", 1, "H100", 8000, 16384);
        String onGood = submit("a", null);
        String onBad = submit("b", null);
        await(() -> state(onGood).equals("SCHEDULED") && state(onBad).equals("SCHEDULED"));
        refuseUpdates("servers", "NOT_READY");
        jdbc.update("UPDATE servers SET agent_last_seen = now() - interval '1 hour'");

        await(() -> serverState("good").equals("NOT_READY"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM workers w JOIN servers s ON s.id = w.server_id "
                + "WHERE s.name = 'good' AND w.state = 'LOST'", Long.class)).isEqualTo(1);
        // the bad server's round failed (the whole transaction: its workers are untouched), the monitor goes on
        assertThat(serverState("bad")).isEqualTo("READY");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM workers w JOIN servers s ON s.id = w.server_id "
                + "WHERE s.name = 'bad' AND w.state = 'LOST'", Long.class)).isZero();

        dropTriggers();
        await(() -> serverState("bad").equals("NOT_READY"));
    }

    @Test
    void aJobThatCannotBeTimedOutDoesNotStopTheOthers() throws Exception {
        liveServer("s1", "default", 2, "H100", 8000, 16384);
        refuseUpdates("jobs", "FAILED");
        String bad = submit("bad", 1);
        String good = submit("good", 1);

        await(() -> state(good).equals("FAILED"));
        assertThat(message(good)).isEqualTo("exceeded its maximum run time");
        assertThat(state(bad)).isEqualTo("SCHEDULED");

        dropTriggers();
        await(() -> state(bad).equals("FAILED"));
    }

    /** A trigger that makes every update of the row named 'bad' in {@code table} to {@code state} fail. */
    private void refuseUpdates(String table, String state) {
        jdbc.execute("""
                CREATE FUNCTION refuse_bad_row() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF NEW.name = 'bad' AND NEW.state = '%s' THEN RAISE EXCEPTION 'refused by the test'; END IF;
                  RETURN NEW;
                END $$""".formatted(state));
        jdbc.execute("CREATE TRIGGER refuse_bad_row BEFORE UPDATE ON " + table
                + " FOR EACH ROW EXECUTE FUNCTION refuse_bad_row()");
    }

    private String submit(String name, Integer maxRunSeconds) {
        Response r = postJson("/api/v1/jobs", """
                {"name":"%s","tenant":"t","taskGroups":[{"name":"g","replicas":1,"cpuMillis":100,"memoryMib":64,"gpus":1}],
                 %s"runtime":{"type":"process","process":{"argv":["sleep","600"]}}}"""
                .formatted(name, maxRunSeconds == null ? "" : "\"maxRunSeconds\":" + maxRunSeconds + ","));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return JsonPath.read(r.body(), "$.id");
    }

    private String state(String id) {
        return JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.state");
    }

    private String message(String id) {
        return JsonPath.read(get("/api/v1/jobs/" + id).body(), "$.message");
    }

    private String serverState(String name) {
        return jdbc.queryForObject("SELECT state FROM servers WHERE name = ?", String.class, name);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("condition not met within 30 s");
            Thread.sleep(100);
        }
    }
}
