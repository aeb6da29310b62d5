package io.berth.archfixture;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import org.springframework.data.repository.Repository;

/**
 * A controller that breaks the data-access rule, for {@code DatabaseAccessArchitectureTest} to prove the rule catches
 * it. Outside {@code io.berth.api} on purpose: the application's entity and repository scans must not find it.
 */
public class LeakyController {
    LeakyRepository repository;

    LeakyEntity read() {
        return null;
    }

    @Entity
    public static class LeakyEntity {
        @Id
        long id;
    }

    public interface LeakyRepository extends Repository<LeakyEntity, Long> {
    }
}
