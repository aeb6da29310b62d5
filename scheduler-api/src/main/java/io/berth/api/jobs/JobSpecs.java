package io.berth.api.jobs;

import io.berth.core.placement.JobRequest;
import io.berth.core.placement.TopologyScope;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Reads the stored spec of a job back. The spec was validated on submission, so a failure here is a bug. */
public final class JobSpecs {
    static final JsonMapper JSON = JsonMapper.builder().build();

    private JobSpecs() {
    }

    public static JobSpec spec(JobRow job) {
        return JSON.readValue(job.specJson(), JobSpec.class);
    }

    /**
     * What the placement engine needs of the job: equal to {@code spec(job).toRequest(id)}. Read from the tree
     * rather than bound to the records: the scheduler reads thousands of specs per cycle, and record binding (with
     * the stored key order of jsonb) costs several times more.
     */
    public static JobRequest request(JobRow job) {
        JsonNode root = JSON.readTree(job.specJson());
        List<JobSpec.TaskGroupSpec> groups = new ArrayList<>();
        for (JsonNode g : root.get("taskGroups")) {
            Set<String> models = null;
            if (present(g, "acceleratorModels")) {
                models = new LinkedHashSet<>();
                for (JsonNode m : g.get("acceleratorModels")) models.add(m.asString());
            }
            groups.add(new JobSpec.TaskGroupSpec(g.get("name").asString(), integer(g, "replicas"),
                    longValue(g, "cpuMillis"), longValue(g, "memoryMib"), integer(g, "gpus"), integer(g, "milliGpu"),
                    models, integer(g, "minAcceleratorMemoryMib"), longValue(g, "localStorageGib"),
                    integer(g, "storageMbPerSec"), longValue(g, "networkMbps"), integer(g, "gangSize"),
                    present(g, "topology") ? TopologyScope.valueOf(g.get("topology").asString()) : null,
                    present(g, "topologyRequired") ? g.get("topologyRequired").asBoolean() : null));
        }
        int priority = present(root, "priority") ? root.get("priority").asInt() : 0;
        return new JobRequest(job.id().toString(), root.get("tenant").asString(), priority,
                groups.stream().map(JobSpec.TaskGroupSpec::toTaskGroup).toList());
    }

    private static boolean present(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    private static Integer integer(JsonNode node, String field) {
        return present(node, field) ? node.get(field).asInt() : null;
    }

    private static Long longValue(JsonNode node, String field) {
        return present(node, field) ? node.get(field).asLong() : null;
    }
}
