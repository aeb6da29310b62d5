package io.berth.api;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's commands work from a clone: every file they send is in the repository, no address is hard-coded
 * beyond the one {@code API} variable, curl does not hide an error (or a missing file) behind {@code -s}, and the
 * node list they import is accepted.
 */
class ReadmeCommandsTest extends ApiTestBase {
    private static final Path ROOT = Path.of("..");

    private static List<String> bashBlocks() throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(ROOT.resolve("README.md")));
        while (m.find()) blocks.add(m.group(1));
        assertThat(blocks).isNotEmpty();
        return blocks;
    }

    @Test
    void everyFileACommandSendsIsInTheRepository() throws IOException {
        List<String> files = new ArrayList<>();
        for (String block : bashBlocks()) {
            Matcher m = Pattern.compile("(?:--data-binary @|--hardware=)([\\w./-]+)").matcher(block);
            while (m.find()) if (!m.group(1).equals(m.group(1).toUpperCase())) files.add(m.group(1)); // not FILE
        }
        assertThat(files).contains("examples/inventory.yaml", "examples/openb-nodes-sample.csv",
                "examples/jobs/mlp-gang.yaml", "examples/hardware/gpu-8x-a100.yaml");
        assertThat(files).allSatisfy(f -> assertThat(ROOT.resolve(f)).as(f).isRegularFile());
    }

    @Test
    void commandsUseOneAddressAndShowErrors() throws IOException {
        for (String block : bashBlocks()) {
            for (String line : block.lines().toList()) {
                if (!line.startsWith("export API=")) assertThat(line).doesNotContain("localhost:8080");
                assertThat(line).doesNotContainPattern("curl -s(?![S])");
            }
            if (block.contains("bcurl")) assertThat(block).doesNotContain("../shared");
        }
        assertThat(String.join("\n", bashBlocks())).contains("bcurl() { curl -sS --fail-with-body ");
        try (Stream<Path> examples = Files.walk(ROOT.resolve("examples"))) {
            for (Path f : examples.filter(Files::isRegularFile).toList())
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain("localhost:8080");
        }
    }

    @Test
    void theExampleNodeListImports() throws IOException {
        Response r = post("/api/v1/inventory/import", "text/csv",
                Files.readString(ROOT.resolve("examples/openb-nodes-sample.csv")));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(count("servers")).isEqualTo(14);
        assertThat((List<String>) JsonPath.read(get("/api/v1/servers?acceleratorModel=A10").body(), "$.items[*].name"))
                .containsExactly("openb-node-1032", "openb-node-1033");
    }
}
