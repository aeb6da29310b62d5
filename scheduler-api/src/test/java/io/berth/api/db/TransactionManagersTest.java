package io.berth.api.db;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The two transaction managers ({@link JpaConfiguration}): which one serves what, why they must never nest, and the
 * call paths where a JPA feature meets a JDBC transaction, driven through HTTP: a batch submission reads the quotas
 * and the inventory snapshot inside its JDBC transaction; an import writes the topology next to the servers; the
 * topology's collections are read and deleted on JPA, a server's deletion removes its links on JDBC.
 */
class TransactionManagersTest extends ApiTestBase {
    @Autowired
    PlatformTransactionManager primary;
    @Autowired
    @Qualifier(JpaConfiguration.JPA)
    PlatformTransactionManager jpa;
    @Autowired
    TransactionTemplate template;
    @Autowired
    JdbcClient jdbcClient;

    @Test
    void jdbcIsThePrimaryManagerAndJpaHasItsOwn() {
        assertThat(primary).isInstanceOf(JdbcTransactionManager.class);
        assertThat(template.getTransactionManager()).isSameAs(primary);
        assertThat(jpa).isInstanceOf(JpaTransactionManager.class);
        assertThat(((JpaTransactionManager) jpa).getDataSource()).isNotNull();
    }

    /** Explicit SQL inside a JPA transaction (the ON CONFLICT upserts, a switch's links) is part of it. */
    @Test
    void jdbcClientRunsInsideTheJpaTransaction() {
        new TransactionTemplate(jpa).executeWithoutResult(tx -> {
            jdbcClient.sql("INSERT INTO tenant_quotas (tenant, gpu_milli_limit) VALUES ('rolled-back', 1000)").update();
            tx.setRollbackOnly();
        });
        assertThat(count("tenant_quotas")).isZero();
    }

    /** Why the rule exists: if Spring ever nests the two, these fail and the rule may be relaxed. */
    @Test
    void springCannotNestTheTwoManagers() {
        TransactionTemplate jpaTx = new TransactionTemplate(jpa);
        // JPA inside JDBC: refused when the JPA transaction binds its connection
        assertThatThrownBy(() -> template.executeWithoutResult(outer -> jpaTx.executeWithoutResult(inner -> {
        }))).isInstanceOf(CannotCreateTransactionException.class).rootCause()
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("bound to thread");

        // JDBC inside JPA: the inner commit commits the JPA transaction's connection, so the outer rollback is too late
        jpaTx.executeWithoutResult(outer -> {
            jdbcClient.sql("INSERT INTO tenant_quotas (tenant, gpu_milli_limit) VALUES ('early', 1000)").update();
            template.executeWithoutResult(inner -> {
            });
            outer.setRollbackOnly();
        });
        assertThat(count("tenant_quotas")).isEqualTo(1);
    }

    @Test
    void aBatchSubmissionReadsTheQuotasInsideItsJdbcTransaction() {
        assertThat(postJson("/api/v1/servers", "{\"name\":\"gpu-1\",\"cpuMillis\":64000,\"memoryMib\":262144,"
                + "\"accelerators\":[{\"kind\":\"GPU\",\"model\":\"H100\",\"memoryMib\":81920},"
                + "{\"kind\":\"GPU\",\"model\":\"H100\",\"memoryMib\":81920}]}").status()).isEqualTo(201);
        assertThat(put("/api/v1/quotas/team-a", "{\"gpuMilli\":1000}").status()).isEqualTo(200);

        Response refused = postJson("/api/v1/jobs/batch", "{\"jobs\":[" + job("fits", 1) + "," + job("too-big", 2) + "]}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(JsonPath.<List<Map<String, Object>>>read(refused.body(), "$.errors")).containsExactly(Map.of(
                "field", "jobs[1].tenant", "message",
                "tenant team-a's quota gpuMilli 1,000 is less than the 2,000 milli-GPU the job holds while it runs"));
        assertThat(count("jobs")).isZero();

        assertThat(postJson("/api/v1/jobs/batch", "{\"jobs\":[" + job("fits", 1) + "]}").status()).isEqualTo(201);
        assertThat(postJson("/api/v1/jobs", job("single", 1)).status()).isEqualTo(201);
        assertThat(count("jobs")).isEqualTo(2);
    }

    @Test
    void theTopologyIsImportedWithTheServersAndReadAndDeletedOnJpa() {
        String doc = """
                {"zones":[{"name":"z1"}],
                 "switches":[{"name":"spine-1","tier":"SPINE","zone":"z1"},{"name":"leaf-1","tier":"LEAF","zone":"z1"}],
                 "racks":[{"name":"r1","zone":"z1","leafSwitch":"leaf-1"}],
                 "servers":[{"name":"s1","rack":"r1","cpuMillis":1000,"memoryMib":1024}],
                 "links":[{"endpointA":"s1","endpointB":"leaf-1","bandwidthMbps":100000,"latencyMicros":2},
                          {"endpointA":"spine-1","endpointB":"leaf-1","bandwidthMbps":400000,"latencyMicros":1}],
                 "sharedVolumes":[{"name":"nas-1","kind":"NAS","capacityGib":100,"bandwidthMbPerSec":500,"racks":["r1"]}]}""";
        for (int i = 0; i < 2; i++) {
            Response imported = postJson("/api/v1/inventory/import", doc);
            assertThat(imported.status()).isEqualTo(200);
            assertThat(JsonPath.<Integer>read(imported.body(), "$.zonesCreated")).isEqualTo(i == 0 ? 1 : 0);
        }

        assertThat(JsonPath.<List<String>>read(get("/api/v1/zones").body(), "$[*].name")).containsExactly("default", "z1");
        assertThat(JsonPath.<Map<String, Object>>read(get("/api/v1/racks/r1").body(), "$"))
                .isEqualTo(Map.of("name", "r1", "zone", "z1", "leafSwitch", "leaf-1"));
        assertThat(JsonPath.<List<String>>read(get("/api/v1/switches").body(), "$[*].name"))
                .containsExactly("leaf-1", "spine-1");
        assertThat(JsonPath.<List<String>>read(get("/api/v1/links").body(), "$[*].endpointA"))
                .containsExactly("leaf-1", "leaf-1"); // stored with the endpoints sorted, in the order of creation
        assertThat(JsonPath.<List<String>>read(get("/api/v1/volumes/nas-1").body(), "$.racks")).containsExactly("r1");

        assertThat(delete("/api/v1/racks/r1").status()).isEqualTo(409); // s1 and nas-1 are in it
        assertThat(delete("/api/v1/zones/z1").status()).isEqualTo(409);
        assertThat(delete("/api/v1/switches/spine-1").status()).isEqualTo(204);
        assertThat(delete("/api/v1/servers/s1").status()).isEqualTo(204);
        assertThat(JsonPath.<List<Object>>read(get("/api/v1/links").body(), "$")).isEmpty();
        for (String path : List.of("/volumes/nas-1", "/racks/r1", "/switches/leaf-1", "/zones/z1"))
            assertThat(delete("/api/v1" + path).status()).as(path).isEqualTo(204);
        assertThat(delete("/api/v1/zones/z1").status()).isEqualTo(404);
        assertThat(get("/api/v1/racks/r1").status()).isEqualTo(404);
        assertThat(get("/api/v1/volumes/nas-1").status()).isEqualTo(404);
    }

    private static String job(String name, int gpus) {
        return "{\"name\":\"" + name + "\",\"tenant\":\"team-a\",\"taskGroups\":[{\"name\":\"trainer\",\"replicas\":1,"
                + "\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":" + gpus + "}],\"runtime\":{\"type\":\"embedded\","
                + "\"embedded\":{\"model\":{\"type\":\"mlp\"},\"data\":{\"type\":\"generated\",\"generator\":\"xor\"},"
                + "\"epochs\":2}}}";
    }
}
