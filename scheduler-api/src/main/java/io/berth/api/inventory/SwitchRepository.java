package io.berth.api.inventory;

import io.berth.api.inventory.TopologySpecs.SwitchSpec;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;

import java.util.List;

/**
 * {@code switches} through Spring Data, for {@link TopologyService} only, which owns the transactions. Reads return
 * records (a DTO projection), so no entity is ever managed; the delete is one bulk statement, run at once, returning
 * the number of rows deleted (0 or 1).
 */
interface SwitchRepository extends Repository<StoredSwitch, String> {
    /** Ordered by name. */
    List<SwitchSpec> findAllByOrderByName();

    @Modifying
    @Query(value = "DELETE FROM switches WHERE name = :name", nativeQuery = true)
    int deleteByName(@Param("name") String name);
}
