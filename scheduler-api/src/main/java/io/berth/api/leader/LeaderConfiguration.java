package io.berth.api.leader;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Chooses the {@link Leadership}: Kubernetes leader election when {@code berth.leader-election.enabled=true}, else
 * the local process leads. Also exposes the gauge {@code berth.leader} (1 while this process leads, else 0).
 */
@Configuration(proxyBeanMethods = false)
class LeaderConfiguration {
    /** Leadership starts before the scheduling loop (default phase) and stops after it. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 100;

    @Bean
    @ConditionalOnProperty(name = "berth.leader-election.enabled", havingValue = "true")
    KubernetesLeadership kubernetesLeadership(KubernetesClient client, LeaderFence fence,
                                              LeaderElectionProperties properties) {
        String namespace = firstNonBlank(properties.namespace(), System.getenv("POD_NAMESPACE"), client.getNamespace(),
                "default");
        String identity = firstNonBlank(properties.identity(), System.getenv("POD_NAME"), hostName());
        return new KubernetesLeadership(client, fence, properties, namespace, identity);
    }

    @Bean
    @ConditionalOnProperty(name = "berth.leader-election.enabled", havingValue = "false", matchIfMissing = true)
    LocalLeadership localLeadership(LeaderFence fence) {
        return new LocalLeadership(fence, hostName() + "/" + ProcessHandle.current().pid());
    }

    @Bean
    Gauge leaderGauge(Leadership leadership, MeterRegistry meters) {
        return Gauge.builder("berth.leader", leadership, l -> l.isLeader() ? 1 : 0)
                .description("1 while this control plane runs the scheduling loop, else 0").register(meters);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "berth-" + ProcessHandle.current().pid() : env;
        }
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v;
        throw new IllegalStateException("no value");
    }
}
