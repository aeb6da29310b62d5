package io.berth.agent.worker;

import static io.berth.agent.worker.Fixtures.anAssignment;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.core.protocol.MetricsReport;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WorkerManager#close} returns only when its shipping thread has stopped: after it nothing writes to the work
 * directory (workers.json after shipping), so the agent's shutdown, or a test's temporary directory, can remove it.
 */
class WorkerManagerCloseTest {
    @TempDir
    Path workDir;

    @Test
    void closeWaitsForTheShipmentInProgress() throws Exception {
        CountDownLatch shipping = new CountDownLatch(1);
        AtomicBoolean shipped = new AtomicBoolean();
        Telemetry slow = new Telemetry() {
            @Override
            public void metrics(String workerId, MetricsReport report) {
            }

            @Override
            public void logs(String workerId, List<String> lines) {
                shipping.countDown();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                while (System.nanoTime() < until) {
                    try {
                        Thread.sleep(50); // a slow control plane; close() interrupts, the call goes on
                    } catch (InterruptedException e) {
                        // keep going, as an HTTP call in flight would
                    }
                }
                shipped.set(true);
            }
        };
        WorkerManager manager = new WorkerManager(workDir, slow, Fixtures.fastSettings());
        manager.start(anAssignment("p").process("echo", "hello").build());
        assertThat(shipping.await(30, TimeUnit.SECONDS)).isTrue();

        manager.close();

        assertThat(shipped).isTrue();
    }
}
