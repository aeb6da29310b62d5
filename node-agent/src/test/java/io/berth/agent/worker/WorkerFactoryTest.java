package io.berth.agent.worker;

import static io.berth.agent.worker.Fixtures.anAssignment;
import static io.berth.agent.worker.Fixtures.awaitFinal;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.worker.WorkerStatus.State;
import io.berth.core.spec.RuntimeSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every runtime of the job spec has its worker factory on the agent. Java 17 has no pattern switch to make the
 * compiler check this, so this test does: a runtime without a factory would fail "no worker factory for runtime".
 */
class WorkerFactoryTest {
    @TempDir
    Path workDir;

    @Test
    void everyRuntimeHasAWorkerFactory() throws Exception {
        assertThat(RuntimeSpec.class.getPermittedSubclasses())
                .containsExactlyInAnyOrder(RuntimeSpec.Embedded.class, RuntimeSpec.Process.class);
        try (WorkerManager manager = new WorkerManager(workDir, new Fixtures.KeepingTelemetry(), Fixtures.fastSettings())) {
            manager.start(anAssignment("p").process("true").build());
            // the embedded factory ran: it is the trainer that refuses a spec without data
            manager.start(anAssignment("e").embedded("{}").build());

            assertThat(awaitFinal(manager, "p")).isEqualTo(new WorkerStatus("p", State.SUCCEEDED, 0, null));
            assertThat(awaitFinal(manager, "e")).isEqualTo(new WorkerStatus("e", State.FAILED, null,
                    "invalid training spec: data: is required"));
        }
    }
}
