package io.berth.api.auth;

import io.berth.api.ApiTestBase;
import io.berth.api.db.JpaConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A Spring Data repository runs outside any transaction and inside a JPA one, and refuses to run inside a JDBC one
 * (where it would read on a second connection), so a JPA read slipped into a JDBC path fails the tests that drive it.
 */
class TokenRepositoryTransactionsTest extends ApiTestBase {
    @Autowired
    ApiTokenRepository repository;
    @Autowired
    TransactionTemplate jdbcTransaction;
    @Autowired
    @Qualifier(JpaConfiguration.JPA)
    PlatformTransactionManager jpa;

    @Test
    void aRepositoryRefusesAJdbcTransaction() {
        byte[] unknown = TokenService.hash("berth_unknown");
        assertThat(repository.findByTokenHashAndRevokedAtIsNull(unknown)).isEmpty();
        Optional<ApiToken> insideJpa = new TransactionTemplate(jpa).execute(
                tx -> repository.findByTokenHashAndRevokedAtIsNull(unknown));
        assertThat(insideJpa).isEmpty();

        assertThatThrownBy(() -> jdbcTransaction.executeWithoutResult(tx -> repository.findByTokenHashAndRevokedAtIsNull(
                unknown))).isInstanceOf(IllegalStateException.class).hasMessage("Spring Data repository method "
                + "ApiTokenRepository.findByTokenHashAndRevokedAtIsNull called inside a JDBC transaction; the two "
                + "transaction managers never nest (see io.berth.api.db.JpaConfiguration)");
        // an inherited, transactional method likewise (not the JPA manager's bind failure)
        assertThatThrownBy(() -> jdbcTransaction.executeWithoutResult(tx -> repository.count()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ApiTokenRepository.count called inside");
    }
}
