package io.berth.api.db;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Start-up stopped because another control plane uses the data directory: say so plainly, without a stack trace. */
class DataDirectoryInUseFailureAnalyzer extends AbstractFailureAnalyzer<DataDirectory.InUseException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DataDirectory.InUseException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Stop the other control plane, or start this one with another BERTH_DATA_DIR.", cause);
    }
}
