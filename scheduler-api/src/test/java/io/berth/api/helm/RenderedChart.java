package io.berth.api.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Berth chart rendered by {@code helm template} (helm-java: Helm as a native library, no cluster, no network)
 * and parsed into fabric8 model objects. Release "rel" in namespace "gpu", so the full name is "rel-berth".
 * Immutable; {@link #render} is not thread-safe because the Helm library is process-global, and tests run serially.
 */
record RenderedChart(String manifest, List<HasMetadata> objects) {
    static final String RELEASE = "rel";
    static final String NAMESPACE = "gpu";
    static final String FULLNAME = "rel-berth";

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** The chart directory, found from the module directory (Surefire's working directory) or the repository root. */
    static Path chartDir() {
        for (Path candidate : List.of(Path.of("..", "helm", "berth"), Path.of("helm", "berth"))) {
            if (Files.isRegularFile(candidate.resolve("Chart.yaml"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("helm/berth/Chart.yaml not found from " + Path.of("").toAbsolutePath());
    }

    /** The chart's example values file under {@code ci/}. */
    static Path ciValues(String fileName) {
        return chartDir().resolve("ci").resolve(fileName);
    }

    /**
     * Renders the chart.
     *
     * @param valuesFile a values file applied over values.yaml, or null
     * @param sets       {@code --set} overrides applied last, in order
     * @throws IllegalStateException with Helm's message when the values fail the schema or a template fails
     */
    static RenderedChart render(Path valuesFile, Map<String, Object> sets) {
        TemplateCommand command = new Helm(chartDir()).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (valuesFile != null) {
            command = command.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            command = command.set(set.getKey(), set.getValue());
        }
        String manifest = command.call();
        return new RenderedChart(manifest, parse(manifest));
    }

    static RenderedChart render(Map<String, Object> sets) {
        return render(null, sets);
    }

    private static List<HasMetadata> parse(String manifest) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(manifest)) {
            boolean onlyComments = document.lines().map(String::strip)
                    .allMatch(line -> line.isEmpty() || line.startsWith("#"));
            if (!onlyComments) {
                objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
            }
        }
        return List.copyOf(objects);
    }

    /** The single object of this type and name. */
    <T extends HasMetadata> T get(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new NoSuchElementException(
                type.getSimpleName() + " " + name + " not rendered; objects: " + kindsAndNames()));
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    /** Objects of a kind the fabric8 model does not know (CRDs such as ServiceMonitor). */
    GenericKubernetesResource generic(String kind, String name) {
        return objects.stream().filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast)
                .filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException(kind + " " + name + " not rendered"));
    }

    /** "Kind/name" of every object, sorted: the whole inventory of a rendering, for comparisons. */
    List<String> kindsAndNames() {
        return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).sorted().toList();
    }
}
