package io.berth.api.agents;

import io.berth.core.protocol.Assignment;
import io.berth.core.protocol.HeartbeatRequest;
import io.berth.core.protocol.HeartbeatResponse;
import io.berth.api.jobs.WorkersChanged;
import io.berth.api.scheduling.SchedulerProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.context.request.async.DeferredResult;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * Long-poll heartbeats without a server: which heartbeats are held, and which events answer them. The hold is set
 * to 60 s so that a test that passes cannot have been answered by the timeout.
 */
class HeldHeartbeatsTest {
    private static final HeartbeatRequest REQUEST = new HeartbeatRequest(null, List.of(), List.of());
    private static final HeartbeatResponse NOTHING = new HeartbeatResponse(List.of(), List.of());
    private static final HeartbeatResponse WORK = new HeartbeatResponse(List.of(new Assignment("w1", "j1",
            "job", 1, "g", 0, 1, null, null, List.of(0), 1000, 1000, 1024, "/tmp/c", null, null)), List.of());

    private final AgentService agents = mock(AgentService.class);
    private final HeldHeartbeats held = new HeldHeartbeats(agents, new SchedulerProperties(true, "bestfit", 200, 90, 60,
            true, 100, true, "/tmp/checkpoints", 29500, 0));

    @AfterEach
    void stop() {
        held.destroy();
    }

    @Test
    void answersAtOnceWhenThereIsWorkOrNoWaitIsAskedFor() {
        when(agents.heartbeat(eq("s1"), any())).thenReturn(WORK);
        assertThat(held.heartbeat("s1", REQUEST, 60).getResult()).isEqualTo(WORK);

        when(agents.heartbeat(eq("s2"), any())).thenReturn(NOTHING);
        assertThat(held.heartbeat("s2", REQUEST, 0).getResult()).isEqualTo(NOTHING);
    }

    @Test
    void holdsAnIdleHeartbeatUntilWorkIsPlacedOnItsServer() throws Exception {
        when(agents.heartbeat(eq("s1"), any())).thenReturn(NOTHING, WORK);
        DeferredResult<HeartbeatResponse> result = held.heartbeat("s1", REQUEST, 60);
        assertThat(result.hasResult()).isFalse();

        held.onWorkersChanged(new WorkersChanged(Set.of("s2"))); // another server's work does not wake it
        assertThat(result.hasResult()).isFalse();

        held.onWorkersChanged(new WorkersChanged(Set.of("s1", "s3")));
        assertThat(awaitResult(result)).isEqualTo(WORK);
        verify(agents, times(2)).heartbeat("s1", REQUEST); // the wake re-ran the heartbeat with the same reports
    }

    @Test
    void workPlacedWhileTheFirstPassRunsIsNotMissed() throws Exception {
        when(agents.heartbeat(eq("s1"), any())).thenAnswer(call -> {
            held.onWorkersChanged(new WorkersChanged(Set.of("s1"))); // commits before the request is parked
            return NOTHING;
        }).thenReturn(WORK);
        DeferredResult<HeartbeatResponse> result = held.heartbeat("s1", REQUEST, 60);
        assertThat(awaitResult(result)).isEqualTo(WORK);
    }

    /** Waits for the answer, which the wake computes on another thread; fails long before the 60 s hold would end. */
    private static Object awaitResult(DeferredResult<HeartbeatResponse> result) throws InterruptedException {
        for (int i = 0; i < 1000 && !result.hasResult(); i++) Thread.sleep(10);
        assertThat(result.hasResult()).as("answered by the wake").isTrue();
        return result.getResult();
    }
}
