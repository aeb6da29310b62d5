package io.berth.api.db;

import jakarta.persistence.EntityManagerFactory;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizers;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.data.repository.core.support.RepositoryFactoryBeanSupport;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;

/**
 * Two transaction managers, one per kind of feature.
 * <ul>
 * <li>{@code transactionManager} (primary, {@link JdbcTransactionManager}): every plain {@code @Transactional} and the
 * {@code TransactionTemplate}: the JdbcClient features (jobs, workers, placement commits, heartbeats, agent
 * registration, the inventory import, the monitors). Declared here because Spring Boot's JPA auto-configuration would
 * otherwise put a JpaTransactionManager in its place, which costs the heartbeat path 12-26% of its throughput (an
 * EntityManager per transaction).</li>
 * <li>{@value #JPA}: the Spring Data repositories and the services of the features on JPA (tokens, quotas, the audit
 * log's reads, the topology's collections, the REST API's servers), through {@link JpaTransactional}. It exposes
 * its connection to JdbcClient, so explicit SQL inside a JPA transaction (ON CONFLICT upserts, a server's row lock)
 * runs in that transaction.</li>
 * </ul>
 * <b>The rule: a transaction of one manager never calls into the other.</b> Spring cannot nest them: a JPA transaction
 * (or a Spring Data repository call, which opens one) inside a JDBC transaction fails when it binds its connection
 * ({@code IllegalStateException: Already value ... bound to thread}), and a JDBC-manager transaction inside a JPA one
 * takes over the JPA transaction's connection and commits it early (and a Spring Data query without a transaction
 * inside a JDBC one silently reads on a second connection). So whatever a JDBC transaction or the scheduling cycle
 * reads or writes of a JPA feature is plain JdbcClient SQL without a transaction of its own, owned by that feature,
 * which then runs on whichever transaction's connection is bound:
 * <ul>
 * <li>{@code Quotas.limits} (and {@code neverWithinQuota}): the batch submission's transaction, the cycle, what-if;</li>
 * <li>the topology in {@code InventoryService}: the snapshot (a batch submission's feasibility check reads it inside
 * its transaction), export, import, single creates with their reference checks, the rack an agent's registration
 * creates, the links a server's deletion removes ({@code TopologyRepository});</li>
 * <li>the servers in {@code InventoryService} ({@code ServerRepository}): the snapshot, export and import, an agent's
 * registration, node sync, the health policy's drain; and, inside {@code ServerService}'s JPA transactions, the lock
 * on a server's row and usage before an edit reads it, and the drain;</li>
 * <li>the audit insert ({@code AuditFilter}, auto-committed, outside any transaction).</li>
 * </ul>
 * The JPA services ({@code TokenService}'s reads and revocation; issuing and enrolling are JDBC writes, see
 * {@code auth.TokenWrites}; {@code Quotas}' API methods, {@code AuditLog}, {@code TopologyService},
 * {@code ServerService}) are called from controllers, the security filter and start-up only, never inside a JDBC
 * transaction (an agent's token is enrolled after its registration's transaction has committed). An after-commit
 * {@code @TransactionalEventListener} of a JDBC transaction still runs with that transaction's connection bound, so a
 * listener that needs a JPA feature hands the work to another thread (as {@code HeldHeartbeats} does).
 * {@code TransactionManagersTest} drives those paths, and {@link #repositoriesRefuseJdbcTransactions()} makes the
 * silent case loud.
 */
@Configuration(proxyBeanMethods = false)
@EnableJpaRepositories(basePackages = "io.berth.api", transactionManagerRef = JpaConfiguration.JPA)
public class JpaConfiguration {
    /** The JPA transaction manager's bean name. */
    public static final String JPA = "jpaTransactionManager";

    @Bean
    @Primary
    JdbcTransactionManager transactionManager(DataSource dataSource,
                                              ObjectProvider<TransactionManagerCustomizers> customizers) {
        JdbcTransactionManager manager = new JdbcTransactionManager(dataSource);
        customizers.ifAvailable(c -> c.customize(manager));
        return manager;
    }

    /**
     * Every Spring Data repository refuses to run inside a JDBC transaction ({@code IllegalStateException} naming the
     * method) instead of silently reading on a second connection; outside any transaction and inside a JPA one it runs
     * as usual. Costs two thread-local lookups per repository call.
     */
    @Bean
    static BeanPostProcessor repositoriesRefuseJdbcTransactions() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof RepositoryFactoryBeanSupport<?, ?, ?> repositories)
                    repositories.addRepositoryFactoryCustomizer(factory -> factory.addRepositoryProxyPostProcessor(
                            (proxy, information) -> proxy.addAdvice(0,
                                    refuseJdbcTransactions(information.getRepositoryInterface().getSimpleName()))));
                return bean;
            }
        };
    }

    private static MethodInterceptor refuseJdbcTransactions(String repository) {
        return invocation -> {
            if (TransactionSynchronizationManager.isActualTransactionActive() && !jpaTransactionBound())
                throw new IllegalStateException("Spring Data repository method " + repository + "."
                        + invocation.getMethod().getName() + " called inside a JDBC transaction; the two transaction "
                        + "managers never nest (see " + JpaConfiguration.class.getName() + ")");
            return invocation.proceed();
        };
    }

    /** True when the thread's transaction is the JPA manager's (it binds the EntityManagerFactory). */
    private static boolean jpaTransactionBound() {
        for (Object key : TransactionSynchronizationManager.getResourceMap().keySet()) {
            if (key instanceof EntityManagerFactory) return true;
        }
        return false;
    }

    @Bean(JPA)
    JpaTransactionManager jpaTransactionManager(EntityManagerFactory entityManagerFactory, DataSource dataSource,
                                                ObjectProvider<TransactionManagerCustomizers> customizers) {
        JpaTransactionManager manager = new JpaTransactionManager(entityManagerFactory);
        manager.setDataSource(dataSource);
        customizers.ifAvailable(c -> c.customize(manager));
        return manager;
    }
}
