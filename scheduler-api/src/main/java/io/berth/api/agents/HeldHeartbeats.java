package io.berth.api.agents;

import io.berth.core.protocol.HeartbeatRequest;
import io.berth.core.protocol.HeartbeatResponse;
import io.berth.api.jobs.WorkersChanged;
import io.berth.api.scheduling.SchedulerProperties;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.web.context.request.async.DeferredResult;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Long-poll heartbeats: an agent that asks for it ({@code ?waitSeconds=n}) and has nothing to start or stop gets its
 * answer held for up to n seconds (at most the heartbeat interval) instead of at once, and the hold ends as soon as
 * a transaction that places workers on its server, or tells workers there to stop, commits. The agent then starts
 * work within milliseconds of the placement instead of at its next heartbeat, with no more requests than before
 * (an idle agent still makes one per interval). No thread is held: the request is an async servlet request.
 *
 * <p>Waking re-runs the whole heartbeat with the same reports (every step of it is idempotent), so the answer is
 * exactly what a heartbeat at that moment would get. A placement that commits while the first pass is running is
 * not missed: each server has a generation counter, read before the first pass and checked after the request is
 * parked. Thread-safe.
 */
@Component
class HeldHeartbeats implements DisposableBean {
    private final AgentService agents;
    private final SchedulerProperties properties;
    private final ConcurrentHashMap<String, AtomicLong> generations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<Held>> held = new ConcurrentHashMap<>();
    private final ExecutorService answering;

    private record Held(String server, HeartbeatRequest request, DeferredResult<HeartbeatResponse> result) {
    }

    HeldHeartbeats(AgentService agents, SchedulerProperties properties) {
        this.agents = agents;
        this.properties = properties;
        AtomicInteger n = new AtomicInteger();
        this.answering = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "berth-heartbeat-wake-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Applies the heartbeat now; answers at once when there is something to start or stop or {@code waitSeconds} is
     * 0, else parks the answer for up to {@code min(waitSeconds, heartbeat interval)} seconds.
     */
    DeferredResult<HeartbeatResponse> heartbeat(String server, HeartbeatRequest request, int waitSeconds) {
        long seen = generation(server).get();
        HeartbeatResponse now = agents.heartbeat(server, request);
        int wait = Math.min(Math.max(0, waitSeconds), properties.heartbeatIntervalSeconds());
        DeferredResult<HeartbeatResponse> result = new DeferredResult<>(TimeUnit.SECONDS.toMillis(Math.max(1, wait)));
        if (wait == 0 || !now.start().isEmpty() || !now.stop().isEmpty() || now.suspend()) {
            result.setResult(now);
            return result;
        }
        Held h = new Held(server, request, result);
        result.onTimeout(() -> {
            remove(h);
            result.setResult(now);
        });
        result.onCompletion(() -> remove(h));
        result.onError(e -> remove(h));
        held.computeIfAbsent(server, k -> ConcurrentHashMap.newKeySet()).add(h);
        if (generation(server).get() != seen) {
            // work arrived while the first pass ran (or while parking): answer without waiting for another event
            remove(h);
            answering.execute(() -> answer(h));
        }
        return result;
    }

    /** Runs after the placing (or stopping) transaction has committed, so the re-run heartbeat sees its workers. */
    @TransactionalEventListener(fallbackExecution = true)
    void onWorkersChanged(WorkersChanged event) {
        for (String server : event.servers()) {
            generation(server).incrementAndGet();
            Set<Held> waiting = held.remove(server);
            if (waiting == null) continue;
            for (Held h : waiting) answering.execute(() -> answer(h));
        }
    }

    private void answer(Held h) {
        if (h.result().isSetOrExpired()) return;
        try {
            h.result().setResult(agents.heartbeat(h.server(), h.request()));
        } catch (RuntimeException e) {
            h.result().setErrorResult(e);
        }
    }

    private AtomicLong generation(String server) {
        return generations.computeIfAbsent(server, k -> new AtomicLong());
    }

    private void remove(Held h) {
        held.computeIfPresent(h.server(), (k, set) -> {
            set.remove(h);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public void destroy() {
        answering.shutdownNow();
    }
}
