package io.berth.api.db;

import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Tells an unreachable database (down, restarting, refusing connections, pool exhausted) from an error in the
 * statement or the data. The first is worth waiting for and answering with 503; the second is a bug or a bad row.
 */
public final class DatabaseOutage {
    private DatabaseOutage() {
    }

    /**
     * True if {@code e} or one of its causes says the database could not be reached or went away mid-statement: no
     * connection from the pool, no transaction could begin, or PostgreSQL's connection-exception (08), shutdown
     * (57P01-57P03) or too-many-connections (53300) states. Not every {@code DataAccessResourceFailureException}:
     * Spring maps program limits (54) to it too, which are errors a retry cannot cure.
     */
    public static boolean is(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CannotGetJdbcConnectionException || t instanceof CannotCreateTransactionException
                    || t instanceof SQLTransientConnectionException)
                return true;
            // a failed rollback hides what made the transaction roll back
            if (t instanceof TransactionSystemException tse && tse.getApplicationException() != null
                    && is(tse.getApplicationException())) return true;
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                        || state.equals("53300")) return true;
            }
        }
        return false;
    }
}
