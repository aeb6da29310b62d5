package io.berth.api.db;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DeadlockLoserDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

import java.sql.SQLException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures mean "the database is unreachable" (503, wait and retry) and which are errors in a statement. */
class DatabaseOutageClassificationTest {

    static Stream<Arguments> failures() {
        TransactionSystemException rollbackFailed = new TransactionSystemException("JDBC rollback failed",
                new SQLException("This connection has been closed.", "08003"));
        rollbackFailed.initApplicationException(new DataAccessResourceFailureException("query failed",
                new SQLException("terminating connection due to administrator command", "57P01")));
        TransactionSystemException commitRefused = new TransactionSystemException("commit failed",
                new SQLException("could not serialize access", "40001"));
        return Stream.of(
                Arguments.of("no connection from the pool", new CannotGetJdbcConnectionException("timeout"), true),
                Arguments.of("no transaction could begin", new CannotCreateTransactionException("no connection"), true),
                Arguments.of("server shut down (57P01) mid-statement", new UncategorizedSQLException("select", "select",
                        new SQLException("terminating connection due to administrator command", "57P01")), true),
                Arguments.of("connection failure (08006)", new UncategorizedSQLException("select", "select",
                        new SQLException("An I/O error occurred", "08006")), true),
                Arguments.of("rollback failed after a lost connection", rollbackFailed, true),
                Arguments.of("too many connections (53300)", new DataAccessResourceFailureException("connect",
                        new SQLException("sorry, too many clients already", "53300")), true),
                Arguments.of("a program limit (54000) that Spring also calls a resource failure",
                        new DataAccessResourceFailureException("insert", new SQLException("index row too big", "54000")),
                        false),
                Arguments.of("a CHECK constraint (23514)", new DataIntegrityViolationException("check",
                        new SQLException("violates check constraint", "23514")), false),
                Arguments.of("a trigger's exception (P0001)", new UncategorizedSQLException("update", "update",
                        new SQLException("refused", "P0001")), false),
                Arguments.of("a deadlock (40P01)", new DeadlockLoserDataAccessException("deadlock", null), false),
                Arguments.of("a commit refused for serialization (40001)", commitRefused, false),
                Arguments.of("a bug", new IllegalStateException("bug"), false));
    }

    @ParameterizedTest(name = "{0}: outage = {2}")
    @MethodSource("failures")
    void classifies(String what, Exception failure, boolean outage) {
        assertThat(DatabaseOutage.is(failure)).isEqualTo(outage);
    }
}
