package io.berth.api.inventory;

import io.berth.api.inventory.TopologySpecs.RackSpec;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;

import java.util.List;
import java.util.Optional;

/**
 * {@code racks} through Spring Data, for {@link TopologyService} only, which owns the transactions. Reads return
 * records (a DTO projection), so no entity is ever managed; the delete is one bulk statement, run at once, returning
 * the number of rows deleted (0 or 1).
 */
interface RackRepository extends Repository<StoredRack, String> {
    /** Ordered by name. */
    List<RackSpec> findAllByOrderByName();

    Optional<RackSpec> findByName(String name);

    @Modifying
    @Query(value = "DELETE FROM racks WHERE name = :name", nativeQuery = true)
    int deleteByName(@Param("name") String name);
}
