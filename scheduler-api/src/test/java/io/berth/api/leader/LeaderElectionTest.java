package io.berth.api.leader;

import io.berth.api.ApiTestBase;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Kubernetes leader election on the fabric8 mock API server (one namespace per test) with the real fence in the
 * embedded PostgreSQL. Durations are short so take-overs happen within seconds; waits are generous and nothing
 * asserts how long anything took.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest extends ApiTestBase {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String LEASE = "berth-scheduler";

    KubernetesClient client;

    @Autowired
    LeaderFence fence;
    @Autowired
    Leadership contextLeadership;
    @Autowired
    JdbcClient jdbcClient;
    @Autowired
    TransactionTemplate tx;

    private final List<KubernetesLeadership> started = new ArrayList<>();
    private String namespace;

    @BeforeEach
    void namespace() {
        namespace = "leader-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void stopAndRestoreEpoch() {
        started.forEach(KubernetesLeadership::stop);
        // the replicas here took epochs; hand the fence back to this context's own (local) leadership
        jdbcClient.sql("UPDATE leader_fence SET epoch = ?").param(contextLeadership.epoch()).update();
    }

    private KubernetesLeadership replica(String identity) {
        // lease 3 s, renew deadline 2 s, retry 250 ms: production timing (15 s / 10 s / 2 s) scaled down
        LeaderElectionProperties properties = new LeaderElectionProperties(true, namespace, identity, LEASE,
                Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(250));
        KubernetesLeadership leadership = new KubernetesLeadership(client, fence, properties, namespace, identity);
        started.add(leadership);
        return leadership;
    }

    private Lease lease() {
        return client.leases().inNamespace(namespace).withName(LEASE).get();
    }

    @Test
    void leadershipMovesToTheOtherReplicaWhenTheLeaderStops() {
        KubernetesLeadership a = replica("a");
        KubernetesLeadership b = replica("b");
        a.start();
        await().atMost(WAIT).until(a::isLeader);
        b.start();
        await().atMost(WAIT).until(() -> "a".equals(b.observedLeader()));
        assertThat(b.isLeader()).isFalse();
        long epochOfA = a.epoch();
        assertThat(fence.current()).isEqualTo(epochOfA);

        a.stop(); // releases the lease
        assertThat(a.isLeader()).isFalse();
        await().atMost(WAIT).until(b::isLeader);

        assertThat(b.epoch()).isGreaterThan(epochOfA);
        assertThat(fence.current()).isEqualTo(b.epoch());
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("b");
    }

    @Test
    void aLeaderThatLosesItsLeaseStopsLeadingAndItsEpochIsFenced() {
        KubernetesLeadership a = replica("a");
        a.start();
        await().atMost(WAIT).until(a::isLeader);
        long epochOfA = a.epoch();

        // another replica took the lease (as after a's renewals stalled past the lease duration); a renewal by a
        // between the read and the write of the edit makes it a 409 conflict, so try again on the newer lease
        for (int attempt = 1; ; attempt++) {
            try {
                client.leases().inNamespace(namespace).withName(LEASE).edit(l -> new LeaseBuilder(l).editSpec()
                        .withHolderIdentity("b").withRenewTime(ZonedDateTime.now(ZoneOffset.UTC))
                        .withLeaseDurationSeconds(60).endSpec().build());
                break;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) throw e;
            }
        }
        KubernetesLeadership b = replica("b");
        b.start();

        await().atMost(WAIT).until(() -> !a.isLeader() && b.isLeader());
        assertThat(b.epoch()).isGreaterThan(epochOfA);
        // a's placements are refused by the database even if a still believed it led
        Leadership believesItLeads = new Leadership() {
            public boolean isLeader() {
                return true;
            }

            public long epoch() {
                return epochOfA;
            }

            public void deposed(long newerEpoch) {
            }
        };
        assertThatThrownBy(() -> tx.execute(s -> fence.check(believesItLeads))).isInstanceOf(LeaderFence.NotLeader.class);
        assertThatThrownBy(() -> tx.execute(s -> fence.check(a))).isInstanceOf(LeaderFence.NotLeader.class);
        Long checked = tx.execute(s -> fence.check(b));
        assertThat(checked).isEqualTo(b.epoch());
    }

    @Test
    void aDeadLeadersLeaseIsTakenOverOnceItExpires() {
        // a leader that died without releasing: its lease was last renewed now and is never renewed again
        client.leases().inNamespace(namespace).resource(new LeaseBuilder().withNewMetadata().withName(LEASE)
                .withNamespace(namespace).endMetadata().withNewSpec().withHolderIdentity("crashed")
                .withLeaseDurationSeconds(3).withAcquireTime(ZonedDateTime.now(ZoneOffset.UTC))
                .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC)).withLeaseTransitions(0).endSpec().build()).create();
        long epochBefore = fence.current();
        KubernetesLeadership b = replica("b");
        b.start();

        await().atMost(WAIT).until(b::isLeader);
        assertThat(b.epoch()).isEqualTo(epochBefore + 1);
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("b");
    }

    @Test
    void aNullNewLeaderIsToleratedAndChangesNothing() {
        KubernetesLeadership a = replica("a");
        a.start();
        await().atMost(WAIT).until(a::isLeader);
        long epoch = a.epoch();

        a.onNewLeader(null); // what fabric8 reports when the lease is released

        assertThat(a.observedLeader()).isNull();
        assertThat(a.isLeader()).isTrue();
        assertThat(a.epoch()).isEqualTo(epoch);
    }

    @Test
    void invalidTimingIsRefusedWithTheKeyInTheMessage() {
        assertThatThrownBy(() -> new LeaderElectionProperties(true, "", "", LEASE, Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(2)))
                .hasMessageContaining("berth.leader-election.lease-duration");
        assertThatThrownBy(() -> new LeaderElectionProperties(true, "", "", LEASE, Duration.ofSeconds(15),
                Duration.ofSeconds(2), Duration.ofSeconds(2)))
                .hasMessageContaining("berth.leader-election.renew-deadline");
    }
}
