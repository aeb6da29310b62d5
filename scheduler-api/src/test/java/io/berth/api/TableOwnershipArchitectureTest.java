package io.berth.api;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each feature owns its tables (issue #13): only the owning feature package writes a table; another feature that
 * needs to change it calls an intent-named method of the owner's service. Reading another feature's table is allowed
 * only where {@link #READERS} says so (a join for a name, or a read that must stay one query on the hot path).
 * <p>
 * SQL lives in string literals, which ArchUnit cannot see, so this test reads the main sources: every string literal
 * (text blocks included, comments left out) is scanned for {@code INSERT INTO t}, {@code UPDATE t},
 * {@code DELETE FROM t}, {@code TRUNCATE t} (a write) and {@code FROM t} / {@code JOIN t} (a read), and a JPA
 * {@code @Table(name = "t")} (or {@code @CollectionTable}, {@code @JoinTable}) counts as a write by its package.
 * The tables are those created in db/migration, so a new table fails {@link #everyTableHasOneOwner} until it is
 * given an owner here.
 */
class TableOwnershipArchitectureTest {
    private static final Path SOURCES = Path.of("src", "main", "java", "io", "berth", "api");
    private static final Path MIGRATIONS = Path.of("..", "db", "migration");
    private static final JavaClasses API = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.berth.api");

    /** The one feature package that writes each table. */
    private static final Map<String, String> OWNER = Map.ofEntries(
            entry("zones", "inventory"), entry("racks", "inventory"), entry("switches", "inventory"),
            entry("network_links", "inventory"), entry("shared_volumes", "inventory"),
            entry("shared_volume_racks", "inventory"), entry("servers", "inventory"), entry("accelerators", "inventory"),
            entry("local_devices", "inventory"),
            // written only by V5's triggers on the inventory tables
            entry("inventory_version", "inventory"),
            entry("server_usage", "scheduling"), entry("accelerator_usage", "scheduling"),
            entry("tenant_quotas", "scheduling"), entry("learned_workload", "scheduling"),
            entry("jobs", "jobs"), entry("job_events", "jobs"), entry("workers", "jobs"), entry("job_metrics", "jobs"),
            entry("worker_logs", "jobs"),
            entry("usage_records", "reports"),
            entry("accelerator_errors", "health"),
            entry("server_events", "power"), entry("retired_energy", "power"),
            entry("api_tokens", "auth"), entry("audit_log", "auth"),
            entry("leader_fence", "leader"));

    /** Other features that may read a table in their own queries, and why. */
    private static final Map<String, Set<String>> READERS = Map.ofEntries(
            // jobs: a worker row carries its server's name; scheduling: the snapshot of holders is one query, and a
            // reservation checks READY in its own statement; metrics and power: read-only figures, one query each
            entry("servers", Set.of("jobs", "scheduling", "metrics", "power", "reports")),
            // jobs: the usage record names the GPU model; scheduling: a reservation checks HEALTHY in its statement;
            // metrics: the packing view
            entry("accelerators", Set.of("jobs", "scheduling", "metrics", "reports")),
            // inventory: an edit locks and reads the usage with the server (Holdings), the allocation view;
            // metrics and power: read-only figures
            entry("server_usage", Set.of("inventory", "metrics", "power")),
            entry("accelerator_usage", Set.of("inventory", "metrics", "power")),
            // scheduling: the snapshot of holders is one query; inventory: who holds what (409 reasons, allocations)
            // reports: a worker's usage record is copied from its row (with its job, server and GPU model) in one
            // statement when its holding ends
            entry("workers", Set.of("scheduling", "inventory", "reports")),
            entry("jobs", Set.of("scheduling", "inventory", "metrics", "reports")),
            // scheduling: one primary-key read per cycle tells whether the cached inventory is current
            entry("inventory_version", Set.of("scheduling")),
            // power: the zone of a rack in the cluster's power figures
            entry("racks", Set.of("power")));

    private record Access(String table, boolean write, String feature, String file) {
        String key() {
            return table + (write ? " write " : " read ") + feature;
        }
    }

    private static final Pattern WRITE = Pattern.compile("\\b(?:INSERT\\s+INTO|UPDATE|DELETE\\s+FROM|TRUNCATE)\\s+(\\w+)");
    private static final Pattern READ = Pattern.compile("\\b(?:FROM|JOIN)\\s+(\\w+)");
    private static final Pattern JPA_TABLE = Pattern.compile("@(?:Table|CollectionTable|JoinTable)\\(\\s*name\\s*=\\s*\"(\\w+)\"");

    private static Set<String> tables() {
        Set<String> tables = new TreeSet<>();
        for (Path f : list(MIGRATIONS)) {
            Matcher m = Pattern.compile("CREATE TABLE (?:IF NOT EXISTS )?(\\w+)").matcher(read(f));
            while (m.find()) tables.add(m.group(1));
        }
        return tables;
    }

    private static List<Access> accesses() {
        Set<String> tables = tables();
        List<Access> out = new ArrayList<>();
        for (Path f : list(SOURCES)) {
            if (!f.toString().endsWith(".java")) continue;
            Path rel = SOURCES.relativize(f);
            String feature = rel.getNameCount() > 1 ? rel.getName(0).toString() : "(root)";
            String code = read(f);
            Matcher jpa = JPA_TABLE.matcher(code);
            while (jpa.find()) out.add(new Access(jpa.group(1), true, feature, rel.toString()));
            String sql = literals(code);
            Matcher w = WRITE.matcher(sql);
            while (w.find()) if (tables.contains(w.group(1))) out.add(new Access(w.group(1), true, feature, rel.toString()));
            Matcher r = READ.matcher(sql);
            while (r.find()) if (tables.contains(r.group(1))) out.add(new Access(r.group(1), false, feature, rel.toString()));
        }
        return out;
    }

    /** The string literals of a Java source (text blocks included, comments and char literals skipped), space-separated. */
    static String literals(String code) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        int n = code.length();
        while (i < n) {
            if (code.startsWith("//", i)) {
                i = end(code.indexOf('\n', i), n);
            } else if (code.startsWith("/*", i)) {
                i = end(code.indexOf("*/", i + 2), n) + 2;
            } else if (code.startsWith("\"\"\"", i)) {
                int close = end(code.indexOf("\"\"\"", i + 3), n);
                out.append(code, i + 3, close).append(' ');
                i = close + 3;
            } else if (code.charAt(i) == '"' || code.charAt(i) == '\'') {
                char quote = code.charAt(i);
                int j = i + 1;
                while (j < n && code.charAt(j) != quote) j += code.charAt(j) == '\\' ? 2 : 1;
                if (quote == '"') out.append(code, i + 1, Math.min(j, n)).append(' ');
                i = j + 1;
            } else {
                i++;
            }
        }
        return out.toString();
    }

    private static int end(int found, int n) {
        return found < 0 ? n : found;
    }

    private static boolean allowed(Access a) {
        if (a.feature().equals(OWNER.get(a.table()))) return true;
        return !a.write() && READERS.getOrDefault(a.table(), Set.of()).contains(a.feature());
    }

    @Test
    void everyTableHasOneOwner() {
        assertThat(OWNER.keySet()).as("tables of db/migration without an owner here, or owners of tables that are gone")
                .containsExactlyInAnyOrderElementsOf(tables());
    }

    @Test
    void onlyTheOwnerWritesATableAndOthersReadOnlyWhatTheyMay() {
        List<String> violations = accesses().stream().filter(a -> !allowed(a))
                .map(a -> a.file() + ": " + a.key() + " (owner " + OWNER.get(a.table()) + ")").distinct().toList();
        assertThat(violations).as("SQL on another feature's table: call an intent-named method of the owner's service")
                .isEmpty();
    }

    /**
     * Repositories are package-private to their feature: another feature calls the feature's public facade (for
     * jobs: {@code JobLifecycle}, {@code JobQueue}, {@code ServerWorkers}), and the compiler keeps it so.
     */
    @Test
    void repositoriesArePackagePrivate() {
        classes().that().haveSimpleNameEndingWith("Repository").and().areNotInterfaces()
                .should().notBePublic()
                .because("another feature calls an intent-named method of the feature's service")
                .check(API);
    }

    /** The scanner itself, on the sentences it must and must not see. */
    @Test
    void theScannerFindsWritesAndReads() {
        assertThat(literals("""
                // UPDATE servers in a comment
                String a = "UPDATE jobs SET x = '//'"; /* DELETE FROM workers */ char q = '"';
                String b = \"""
                    SELECT 1 FROM "quoted \\" x"
                    \""";
                """)).isEqualTo("UPDATE jobs SET x = '//' \n    SELECT 1 FROM \"quoted \\\" x\"\n     ");
        Matcher w = WRITE.matcher("UPDATE servers s SET x = 1 FROM (SELECT 1) d; INSERT INTO workers (a) VALUES (1); "
                + "DELETE FROM jobs WHERE true; TRUNCATE audit_log");
        List<String> writes = new ArrayList<>();
        while (w.find()) writes.add(w.group(1));
        assertThat(writes).containsExactly("servers", "workers", "jobs", "audit_log");
        Matcher r = READ.matcher("SELECT a FROM workers w JOIN jobs j ON j.id = w.job_id");
        List<String> reads = new ArrayList<>();
        while (r.find()) reads.add(r.group(1));
        assertThat(reads).containsExactly("workers", "jobs");
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
