package io.berth.api.db;

import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.bytecode.internal.none.BytecodeProviderImpl;
import org.hibernate.bytecode.spi.BytecodeProvider;
import org.hibernate.service.spi.ServiceContributor;

/**
 * Hibernate without a bytecode provider: it then builds no proxy class per entity at start-up (Byte Buddy, about a
 * second on two cores) and instantiates entities by reflection. Safe because nothing needs a proxy: no entity has a
 * lazy to-one association, nothing calls {@code getReference}, and lazy collections are not proxy classes. Should
 * one come, Hibernate throws the first time it needs a proxy ("not allowed when the configured BytecodeProvider is
 * 'none'"), so it shows in the tests instead of silently. Hibernate 7 ignores the old
 * {@code hibernate.bytecode.provider} setting; a service contributor (registered in META-INF/services) is its way.
 */
public final class NoBytecodeProvider implements ServiceContributor {
    @Override
    public void contribute(StandardServiceRegistryBuilder registry) {
        registry.addService(BytecodeProvider.class, new BytecodeProviderImpl());
    }
}
