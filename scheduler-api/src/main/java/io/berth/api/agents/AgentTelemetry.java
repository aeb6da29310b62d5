package io.berth.api.agents;

import io.berth.core.protocol.HeartbeatRequest;
import io.berth.core.protocol.AcceleratorError;
import io.berth.core.protocol.MetricsReport;
import io.berth.core.protocol.LogBatch;
import io.berth.api.health.AcceleratorHealthService;
import io.berth.api.inventory.ServerStatus;
import io.berth.api.jobs.ServerWorkers;
import io.berth.api.jobs.WorkerRow;
import io.berth.api.errors.NotFound;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What agents report besides their workers' states: accelerator health (the agent's probe and its accelerator
 * errors), training metrics and log lines. Each report is written with one statement (logs: one batch), whatever
 * its size.
 */
@Service
class AgentTelemetry {
    private final ServerStatus status;
    private final ServerWorkers workers;
    private final AcceleratorHealthService acceleratorHealth;

    AgentTelemetry(ServerStatus status, ServerWorkers workers, AcceleratorHealthService acceleratorHealth) {
        this.status = status;
        this.workers = workers;
        this.acceleratorHealth = acceleratorHealth;
    }

    /**
     * A heartbeat's accelerator errors (to the health policy) and the agent's probe results. The probe decides an
     * accelerator's health only while neither the health policy nor an operator has (latched); each accelerator it
     * changes adds one to the server's version, as before. Errors first: a job whose GPU failed is requeued without
     * counting a failure before the same heartbeat reports its worker failed.
     *
     * @return true if anything changed
     */
    boolean acceleratorsReported(long serverId, String server, List<AcceleratorError> errors,
                                 List<HeartbeatRequest.AcceleratorHealth> probed) {
        boolean changed = errors != null && !errors.isEmpty()
                && acceleratorHealth.errorsReported(serverId, server, errors);
        if (probed == null || probed.isEmpty()) return changed;
        // one figure per accelerator: the last one listed (one after the other they would end the same)
        Map<Integer, HeartbeatRequest.AcceleratorHealth> last = new LinkedHashMap<>();
        for (HeartbeatRequest.AcceleratorHealth h : probed) last.put(h.index(), h);
        int n = last.size();
        Integer[] indices = new Integer[n];
        String[] health = new String[n];
        String[] reasons = new String[n];
        int i = 0;
        for (HeartbeatRequest.AcceleratorHealth h : last.values()) {
            indices[i] = h.index();
            health[i] = h.health();
            reasons[i++] = h.health().equals("HEALTHY") ? null : h.reason();
        }
        long updated = status.acceleratorsProbed(serverId, indices, health, reasons);
        return changed || updated > 0;
    }

    @Transactional
    public void metrics(String server, UUID workerId, MetricsReport m) {
        WorkerRow w = ownWorker(server, workerId);
        workers.recordMetrics(w, m);
    }

    @Transactional
    public void logs(String server, UUID workerId, LogBatch batch) {
        WorkerRow w = ownWorker(server, workerId);
        workers.appendLogs(w, batch.lines());
    }

    /** The worker if it is placed on this server (one lookup); else 404 naming the server if it does not exist. */
    private WorkerRow ownWorker(String server, UUID workerId) {
        WorkerRow w = workers.find(workerId).orElse(null);
        if (w != null && w.serverName().equals(server)) return w;
        if (!status.exists(server)) throw NotFound.of("server", server);
        throw NotFound.of("worker", workerId.toString());
    }
}
