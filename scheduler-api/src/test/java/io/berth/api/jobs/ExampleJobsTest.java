package io.berth.api.jobs;

import io.berth.api.ApiTestBase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The job specs shipped in examples/jobs are accepted on the example inventory, as the README promises. */
class ExampleJobsTest extends ApiTestBase {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp-gang.yaml", "cpu-mlp.yaml", "torchrun.yaml", "sleeper.yaml"})
    void exampleIsAccepted(String file) throws IOException {
        Response inventory = post("/api/v1/inventory/import", "application/yaml",
                Files.readString(Path.of("../examples/inventory.yaml")));
        assertThat(inventory.status()).isEqualTo(200);

        Response r = post("/api/v1/jobs", "application/yaml", Files.readString(Path.of("../examples/jobs", file)));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
}
