package io.berth.api.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A fabric8 {@link KubernetesClient}, created only when something needs the Kubernetes API (leader election or node
 * sync). Configured the fabric8 way: in a pod from the service account (in-cluster config), elsewhere from
 * ~/.kube/config or the KUBERNETES_MASTER / kubernetes.* system properties. Closed on shutdown.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("${berth.leader-election.enabled:false} or ${berth.node-sync.enabled:false}")
class KubernetesClientConfiguration {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    KubernetesClient kubernetesClient() {
        return new KubernetesClientBuilder().build();
    }
}
