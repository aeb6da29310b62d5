package io.berth.api.db;

import io.berth.api.ApiTestBase;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.bytecode.internal.none.BytecodeProviderImpl;
import org.hibernate.bytecode.spi.BytecodeProvider;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.proxy.ProxyFactory;
import org.hibernate.proxy.pojo.bytebuddy.ByteBuddyProxyFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.support.Repositories;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What keeps Hibernate's share of start-up small (application.yaml, {@link NoBytecodeProvider}): no bytecode provider,
 * so no entity gets a proxy class, and every {@code @Query} native, so no HQL grammar runs when the repositories are
 * built. A JPQL {@code @Query} or a lost service registration fails here instead of slowing every start.
 */
class HibernateStartupTest extends ApiTestBase {
    @Autowired
    EntityManagerFactory entityManagerFactory;
    @Autowired
    ApplicationContext context;

    @Test
    void hibernateRunsWithoutABytecodeProviderAndBuildsNoProxies() {
        SessionFactoryImplementor sessionFactory = entityManagerFactory.unwrap(SessionFactoryImplementor.class);
        assertThat(sessionFactory.getServiceRegistry().requireService(BytecodeProvider.class))
                .isInstanceOf(BytecodeProviderImpl.class);

        List<String> entities = new ArrayList<>();
        List<String> proxied = new ArrayList<>();
        sessionFactory.getMappingMetamodel().forEachEntityDescriptor(entity -> {
            entities.add(entity.getEntityName());
            ProxyFactory proxies = entity.getRepresentationStrategy().getProxyFactory();
            if (proxies instanceof ByteBuddyProxyFactory) proxied.add(entity.getEntityName());
        });
        assertThat(entities).contains("io.berth.api.inventory.StoredServer", "io.berth.api.auth.ApiToken");
        assertThat(proxied).isEmpty();
    }

    @Test
    void everyDeclaredQueryIsNativeSql() {
        List<String> declared = new ArrayList<>();
        List<String> jpql = new ArrayList<>();
        Repositories repositories = new Repositories(context);
        for (Class<?> domainType : repositories) {
            Class<?> repository = repositories.getRepositoryInformationFor(domainType).orElseThrow().getRepositoryInterface();
            for (Method method : repository.getDeclaredMethods()) {
                Query query = method.getAnnotation(Query.class);
                if (query == null) continue;
                declared.add(repository.getSimpleName() + "." + method.getName());
                if (!query.nativeQuery()) jpql.add(repository.getSimpleName() + "." + method.getName());
            }
        }
        assertThat(declared).contains("StoredServerRepository.updateState", "ZoneRepository.deleteByName");
        assertThat(jpql).isEmpty();
    }
}
