package io.berth.api.db;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Before anything starts: the embedded database's data directory is ours to use. An orphaned PostgreSQL of a killed
 * control plane is stopped; a directory held by a live control plane stops start-up with {@link
 * DataDirectory.InUseException}, which {@link DataDirectoryInUseFailureAnalyzer} reports in one sentence. Runs this
 * early so that no bean has started (and logged) anything yet. Registered in META-INF/spring.factories.
 */
class DataDirectoryCheck implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {
    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        Environment env = event.getEnvironment();
        String url = env.getProperty("spring.datasource.url");
        String dataDir = env.getProperty("berth.embedded-postgres.data-dir");
        if ((url != null && !url.isBlank()) || dataDir == null || dataDir.isBlank()) return;
        try {
            DataDirectory.stopOrphanedServer(Path.of(dataDir).toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE; // after logging is set up
    }
}
