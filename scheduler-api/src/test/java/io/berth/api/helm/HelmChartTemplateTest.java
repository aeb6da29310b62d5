package io.berth.api.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.berth.api.helm.RenderedChart.FULLNAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * {@code helm template} of the chart for the default values and for an HA + node-sync configuration
 * ({@code ci/ha-nodesync-values.yaml}), parsed with the fabric8 model. Scenario-independent guarantees (probes,
 * security contexts, wiring between objects) are checked for both scenarios; the rest per scenario.
 */
class HelmChartTemplateTest {
    private static final String AGENT = FULLNAME + "-agent";
    private static final List<String> LEASE_VERBS = List.of("get", "list", "watch", "create", "update", "patch");

    private static RenderedChart defaults;
    private static RenderedChart haNodeSync;

    @BeforeAll
    static void render() {
        defaults = RenderedChart.render(Map.of());
        haNodeSync = RenderedChart.render(RenderedChart.ciValues("ha-nodesync-values.yaml"), Map.of());
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(arguments("defaults", defaults), arguments("HA + node sync", haNodeSync));
    }

    // ---- what gets rendered ----------------------------------------------------------------------------------

    @Test
    void defaultsRenderTheControlPlaneTheAgentAndLeaseRbacOnly() {
        // The generated tokens Secret is a pre-install hook: `helm template` via helm-java lists only the manifest.
        assertThat(defaults.kindsAndNames()).containsExactly(
                "ConfigMap/rel-berth",
                "DaemonSet/rel-berth-agent",
                "Deployment/rel-berth",
                "PodDisruptionBudget/rel-berth",
                "Role/rel-berth-leader-election",
                "RoleBinding/rel-berth-leader-election",
                "Secret/rel-berth-database",
                "Service/rel-berth",
                "Service/rel-berth-management",
                "ServiceAccount/rel-berth",
                "ServiceAccount/rel-berth-agent");
    }

    @Test
    void haNodeSyncAddsNodeReadingRbacMonitoringAndUsesExistingSecrets() {
        assertThat(haNodeSync.kindsAndNames()).containsExactly(
                "ClusterRole/rel-berth-gpu-node-reader",
                "ClusterRoleBinding/rel-berth-gpu-node-reader",
                "ConfigMap/rel-berth",
                "ConfigMap/rel-berth-dashboard",
                "DaemonSet/rel-berth-agent",
                "Deployment/rel-berth",
                "PodDisruptionBudget/rel-berth",
                "Role/rel-berth-leader-election",
                "RoleBinding/rel-berth-leader-election",
                "Service/rel-berth",
                "Service/rel-berth-management",
                "ServiceAccount/rel-berth",
                "ServiceAccount/rel-berth-agent",
                "ServiceMonitor/rel-berth");
    }

    // ---- replicas and leader election ------------------------------------------------------------------------

    static Stream<Arguments> replicaCases() {
        return Stream.of(
                arguments("defaults: 2 replicas, leader-elected", Map.of(), 2, "true"),
                arguments("one replica without leader election", Map.of("controlPlane.replicaCount", 1,
                        "leaderElection.enabled", false), 1, "false"),
                arguments("five replicas", Map.of("controlPlane.replicaCount", 5), 5, "true"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replicaCases")
    void replicasAndLeaderElection(String name, Map<String, Object> sets, int replicas, String leaderElection) {
        RenderedChart chart = RenderedChart.render(sets);

        assertThat(chart.get(Deployment.class, FULLNAME).getSpec().getReplicas()).isEqualTo(replicas);
        assertThat(chart.get(ConfigMap.class, FULLNAME).getData())
                .containsEntry("BERTH_LEADER_ELECTION_ENABLED", leaderElection);
        // A PodDisruptionBudget only makes sense with a second replica; the Lease Role only with leader election.
        assertThat(chart.find(PodDisruptionBudget.class, FULLNAME).isPresent()).isEqualTo(replicas > 1);
        assertThat(chart.find(Role.class, FULLNAME + "-leader-election").isPresent())
                .isEqualTo(Boolean.parseBoolean(leaderElection));
    }

    @Test
    void haScenarioRunsThreeReplicasWithItsLeaseName() {
        assertThat(haNodeSync.get(Deployment.class, FULLNAME).getSpec().getReplicas()).isEqualTo(3);
        assertThat(haNodeSync.get(ConfigMap.class, FULLNAME).getData())
                .containsEntry("BERTH_LEADER_ELECTION_ENABLED", "true")
                .containsEntry("BERTH_LEADER_ELECTION_LEASE_NAME", "berth-scheduler")
                .containsEntry("BERTH_NODE_SYNC_ENABLED", "true")
                .containsEntry("BERTH_NODE_SYNC_INTERVAL_SECONDS", "30");
    }

    // ---- RBAC ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}: Role for leases")
    @MethodSource("scenarios")
    void leaseRoleGrantsExactlyTheLeaderElectionVerbsToTheServiceAccount(String name, RenderedChart chart) {
        Role role = chart.get(Role.class, FULLNAME + "-leader-election");
        assertThat(role.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE);
        assertThat(role.getRules()).singleElement().satisfies(rule -> assertRule(rule,
                "coordination.k8s.io", "leases", LEASE_VERBS));

        RoleBinding binding = chart.get(RoleBinding.class, FULLNAME + "-leader-election");
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).extracting(RbacSubject::of)
                .containsExactly(new RbacSubject("ServiceAccount", FULLNAME, RenderedChart.NAMESPACE));
    }

    @Test
    void nodeSyncAddsAReadOnlyClusterRoleOnNodes() {
        String name = FULLNAME + "-gpu-node-reader";
        ClusterRole role = haNodeSync.get(ClusterRole.class, name);
        assertThat(role.getRules()).singleElement().satisfies(rule -> assertRule(rule,
                "", "nodes", List.of("get", "list", "watch")));

        ClusterRoleBinding binding = haNodeSync.get(ClusterRoleBinding.class, name);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(name);
        assertThat(binding.getSubjects()).extracting(RbacSubject::of)
                .containsExactly(new RbacSubject("ServiceAccount", FULLNAME, RenderedChart.NAMESPACE));
        assertThat(defaults.find(ClusterRole.class, name)).isEmpty();
    }

    private static void assertRule(PolicyRule rule, String apiGroup, String resource, List<String> verbs) {
        assertThat(rule.getApiGroups()).containsExactly(apiGroup);
        assertThat(rule.getResources()).containsExactly(resource);
        assertThat(rule.getVerbs()).containsExactlyElementsOf(verbs);
    }

    private record RbacSubject(String kind, String name, String namespace) {
        static RbacSubject of(Subject s) {
            return new RbacSubject(s.getKind(), s.getName(), s.getNamespace());
        }
    }

    // ---- the control plane's pod -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void controlPlaneProbesActuatorHealthGroupsOnTheManagementPort(String name, RenderedChart chart) {
        Container c = controlPlane(chart);
        assertThat(c.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly("http:8080", "management:8081");
        assertThat(chart.get(ConfigMap.class, FULLNAME).getData()).containsEntry("BERTH_MANAGEMENT_PORT", "8081");
        // probe -> path, all on the named port "management" (actuator is not served on the API port)
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("startup", c.getStartupProbe().getHttpGet().getPath());
        paths.put("liveness", c.getLivenessProbe().getHttpGet().getPath());
        paths.put("readiness", c.getReadinessProbe().getHttpGet().getPath());
        assertThat(paths).containsExactly(
                Map.entry("startup", "/actuator/health/liveness"),
                Map.entry("liveness", "/actuator/health/liveness"),
                Map.entry("readiness", "/actuator/health/readiness"));
        assertThat(Stream.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())
                .map(p -> p.getHttpGet().getPort().getStrVal())).containsOnly("management");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void controlPlaneRunsNonRootOnAReadOnlyRootWithTmpOnAnEmptyDir(String name, RenderedChart chart) {
        PodSpec pod = chart.get(Deployment.class, FULLNAME).getSpec().getTemplate().getSpec();
        assertRestrictedContainer(pod, controlPlane(chart));
        assertThat(pod.getServiceAccountName()).isEqualTo(FULLNAME);
        assertThat(chart.get(ServiceAccount.class, FULLNAME)).isNotNull();
        assertThat(controlPlane(chart).getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(controlPlane(chart).getResources().getLimits()).containsKey("memory");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void controlPlaneGetsPodIdentityFromTheDownwardApiAndNeverStartsALocalAgent(String name, RenderedChart chart) {
        Map<String, String> fieldRefs = controlPlane(chart).getEnv().stream()
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null)
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValueFrom().getFieldRef().getFieldPath()));
        assertThat(fieldRefs).isEqualTo(Map.of("POD_NAME", "metadata.name", "POD_NAMESPACE", "metadata.namespace"));
        assertThat(controlPlane(chart).getEnvFrom()).singleElement()
                .satisfies(e -> assertThat(e.getConfigMapRef().getName()).isEqualTo(FULLNAME));
        assertThat(chart.get(ConfigMap.class, FULLNAME).getData())
                .containsEntry("BERTH_LOCAL_AGENT_ENABLED", "false")
                .containsEntry("BERTH_PORT", "8080");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void serviceSelectsExactlyTheControlPlanePods(String name, RenderedChart chart) {
        Service service = chart.get(Service.class, FULLNAME);
        Deployment deployment = chart.get(Deployment.class, FULLNAME);
        assertThat(service.getSpec().getSelector())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "control-plane");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(8080);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
        });
        Service management = chart.get(Service.class, FULLNAME + "-management");
        assertThat(management.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(management.getSpec().getSelector()).isEqualTo(service.getSpec().getSelector());
        assertThat(management.getMetadata().getLabels()).containsEntry("berth.io/endpoint", "management");
        assertThat(management.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(8081);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("management");
        });
    }

    // ---- database and secrets --------------------------------------------------------------------------------

    @Test
    void defaultDatabaseIsAnExternalPostgresWithThePasswordInTheChartSecret() {
        assertThat(defaults.get(ConfigMap.class, FULLNAME).getData())
                .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://berth-postgresql:5432/berth")
                .containsEntry("SPRING_DATASOURCE_USERNAME", "berth");
        assertThat(secretRefs(controlPlane(defaults))).isEqualTo(Map.of(
                "SPRING_DATASOURCE_PASSWORD", FULLNAME + "-database/password",
                "BERTH_AUTH_ADMIN_TOKEN", FULLNAME + "-tokens/admin-token",
                "BERTH_AUTH_AGENT_ENROLLMENT_TOKEN", FULLNAME + "-tokens/agent-token"));
        assertThat(defaults.get(Secret.class, FULLNAME + "-database").getData()).containsOnlyKeys("password");
    }

    @Test
    void cloudNativePgSecretProvidesUserAndPassword() {
        assertThat(haNodeSync.get(ConfigMap.class, FULLNAME).getData())
                .containsEntry("SPRING_DATASOURCE_URL", "jdbc:postgresql://berth-db-rw:5432/app?sslmode=require")
                .doesNotContainKey("SPRING_DATASOURCE_USERNAME");
        assertThat(secretRefs(controlPlane(haNodeSync))).isEqualTo(Map.of(
                "SPRING_DATASOURCE_USERNAME", "berth-db-app/username",
                "SPRING_DATASOURCE_PASSWORD", "berth-db-app/password",
                "BERTH_AUTH_ADMIN_TOKEN", "berth-tokens/admin-token",
                "BERTH_AUTH_AGENT_ENROLLMENT_TOKEN", "berth-tokens/agent-token"));
    }

    @Test
    void tokensGivenAsValuesGoIntoARegularSecret() {
        RenderedChart chart = RenderedChart.render(Map.of("auth.adminToken", "admin-secret",
                "auth.agentToken", "agent-secret", "database.password", "pw"));
        Secret tokens = chart.get(Secret.class, FULLNAME + "-tokens");
        assertThat(tokens.getMetadata().getAnnotations()).isNullOrEmpty(); // not a hook: upgrades apply new values
        assertThat(decoded(tokens)).isEqualTo(Map.of("admin-token", "admin-secret", "agent-token", "agent-secret"));
        assertThat(decoded(chart.get(Secret.class, FULLNAME + "-database"))).isEqualTo(Map.of("password", "pw"));
    }

    // ---- the node agent --------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void agentRunsOnGpuNodesAsNonRoot(String name, RenderedChart chart) {
        PodSpec pod = chart.get(DaemonSet.class, AGENT).getSpec().getTemplate().getSpec();
        assertThat(pod.getNodeSelector()).isEqualTo(Map.of("nvidia.com/gpu.present", "true"));
        assertThat(pod.getTolerations()).singleElement()
                .satisfies(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
        assertThat(pod.getServiceAccountName()).isEqualTo(AGENT);
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertRestrictedContainer(pod, agent(chart));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void agentIsNamedAfterItsNodeAndPointedAtTheService(String name, RenderedChart chart) {
        Container c = agent(chart);
        assertThat(env(c, "BERTH_NODE_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        assertThat(env(c, "BERTH_ADVERTISE_ADDRESS").getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("status.podIP");
        // http://SERVICE.NAMESPACE.svc:SERVICE_PORT
        assertThat(env(c, "BERTH_CONTROL_PLANE").getValue()).isEqualTo("http://rel-berth.gpu.svc:8080");
        assertThat(env(c, "BERTH_WORK_DIR").getValue()).isEqualTo("/var/lib/berth/agent");
        assertThat(env(c, "NVIDIA_VISIBLE_DEVICES").getValue()).isEqualTo("all");
        assertThat(env(c, "NVIDIA_DRIVER_CAPABILITIES").getValue()).isEqualTo("compute,utility");
        String tokenSecret = chart == defaults ? FULLNAME + "-tokens" : "berth-tokens";
        assertThat(secretRefs(c)).isEqualTo(Map.of("BERTH_AGENT_TOKEN", tokenSecret + "/agent-token"));
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    }

    @Test
    void defaultAgentKeepsItsStateInEmptyDirsAndUsesTheDefaultRuntime() {
        PodSpec pod = defaults.get(DaemonSet.class, AGENT).getSpec().getTemplate().getSpec();
        assertThat(pod.getRuntimeClassName()).isNull();
        assertThat(pod.getInitContainers()).isEmpty();
        assertThat(volume(pod, "work").getEmptyDir().getSizeLimit().toString()).isEqualTo("50Gi");
        assertThat(volume(pod, "checkpoints").getEmptyDir()).isNotNull();
        assertThat(mountPaths(agent(defaults))).isEqualTo(Map.of("tmp", "/tmp", "work", "/var/lib/berth/agent",
                "checkpoints", "/var/lib/berth/checkpoints"));
    }

    @Test
    void haAgentUsesTheNvidiaRuntimeAHostPathWorkDirAndASharedCheckpointClaim() {
        PodSpec pod = haNodeSync.get(DaemonSet.class, AGENT).getSpec().getTemplate().getSpec();
        assertThat(pod.getRuntimeClassName()).isEqualTo("nvidia");
        assertThat(volume(pod, "work").getHostPath().getPath()).isEqualTo("/var/lib/berth/agent");
        assertThat(volume(pod, "checkpoints").getPersistentVolumeClaim().getClaimName()).isEqualTo("berth-checkpoints");
        assertThat(env(agent(haNodeSync), "BERTH_RACK").getValue()).isEqualTo("rack-a");
        // hostPath ignores fsGroup: a root init container with only CHOWN hands the directory to UID 10001.
        assertThat(pod.getInitContainers()).singleElement().satisfies(init -> {
            assertThat(init.getCommand()).containsExactly("chown", "10001:10001", "/var/lib/berth/agent");
            assertThat(init.getSecurityContext().getRunAsUser()).isZero();
            assertThat(init.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(init.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(init.getSecurityContext().getCapabilities().getAdd()).containsExactly("CHOWN");
        });
    }

    // ---- monitoring ------------------------------------------------------------------------------------------

    @Test
    void serviceMonitorScrapesActuatorPrometheusOnTheManagementService() {
        Map<String, Object> spec = haNodeSync.generic("ServiceMonitor", FULLNAME).get("spec");
        assertThat(spec).extractingByKey("endpoints").asInstanceOf(InstanceOfAssertFactories.LIST).singleElement()
                .isEqualTo(Map.of("port", "management", "path", "/actuator/prometheus", "interval", "30s"));
        // only the management Service carries this label, so the API Service is never scraped
        assertThat(spec).extractingByKey("selector").asInstanceOf(InstanceOfAssertFactories.MAP)
                .extractingByKey("matchLabels").asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsEntry("berth.io/endpoint", "management");
    }

    @Test
    void dashboardConfigMapCarriesTheGrafanaSidecarLabelAndTheDashboardFile() throws Exception {
        ConfigMap dashboard = haNodeSync.get(ConfigMap.class, FULLNAME + "-dashboard");
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        String file = Files.readString(RenderedChart.chartDir().resolve("dashboards/berth.json"));
        assertThat(dashboard.getData().get("berth.json")).isEqualTo(file.strip());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** The restricted Pod Security Standard, as the issue asks for it. */
    private static void assertRestrictedContainer(PodSpec pod, Container c) {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var sc = c.getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(mountPaths(c)).containsEntry("tmp", "/tmp");
        assertThat(volume(pod, "tmp").getEmptyDir()).isNotNull();
    }

    private static Container controlPlane(RenderedChart chart) {
        return chart.get(Deployment.class, FULLNAME).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("control-plane")).findFirst().orElseThrow();
    }

    private static Container agent(RenderedChart chart) {
        return chart.get(DaemonSet.class, AGENT).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("node-agent")).findFirst().orElseThrow();
    }

    private static EnvVar env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no env " + name));
    }

    /** env name -> "secret/key" for every variable taken from a Secret. */
    private static Map<String, String> secretRefs(Container c) {
        return c.getEnv().stream()
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValueFrom().getSecretKeyRef().getName() + "/"
                        + e.getValueFrom().getSecretKeyRef().getKey()));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static Map<String, String> mountPaths(Container c) {
        return c.getVolumeMounts().stream().collect(Collectors.toMap(m -> m.getName(), m -> m.getMountPath()));
    }

    private static Map<String, String> decoded(Secret secret) {
        return secret.getData().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> new String(Base64.getDecoder().decode(Objects.requireNonNull(e.getValue())), StandardCharsets.UTF_8)));
    }
}
