package io.berth.api.db;

import org.springframework.core.annotation.AliasFor;
import org.springframework.transaction.annotation.Transactional;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * {@code @Transactional} on the JPA transaction manager: for the services of the features on Spring Data JPA. Never
 * reached from inside a plain {@code @Transactional} (JDBC) transaction, nor the other way round: see
 * {@link JpaConfiguration}.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Transactional(transactionManager = JpaConfiguration.JPA)
public @interface JpaTransactional {
    @AliasFor(annotation = Transactional.class)
    boolean readOnly() default false;
}
