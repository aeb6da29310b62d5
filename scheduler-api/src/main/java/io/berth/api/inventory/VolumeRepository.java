package io.berth.api.inventory;

import org.springframework.data.jpa.repository.EntityGraph;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;

import java.util.List;
import java.util.Optional;

/**
 * {@code shared_volumes} with their racks through Spring Data, for {@link TopologyService} only, which owns the
 * (read-only) transactions and maps the entities to records before they end. The racks are fetched with the volumes
 * in one query. The delete is one bulk statement returning the number of rows deleted (0 or 1); the volume's racks go
 * with it (ON DELETE CASCADE, V1).
 */
interface VolumeRepository extends Repository<StoredVolume, String> {
    /** Ordered by name. */
    @EntityGraph(attributePaths = "racks")
    List<StoredVolume> findAllByOrderByName();

    @EntityGraph(attributePaths = "racks")
    Optional<StoredVolume> findByName(String name);

    @Modifying
    @Query(value = "DELETE FROM shared_volumes WHERE name = :name", nativeQuery = true)
    int deleteByName(@Param("name") String name);
}
