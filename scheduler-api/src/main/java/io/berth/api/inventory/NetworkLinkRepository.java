package io.berth.api.inventory;

import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;

import java.util.List;

/**
 * {@code network_links} through Spring Data, for {@link TopologyService} only, which owns the transactions. Reads
 * return records (a DTO projection); the delete is one bulk statement returning the number of rows deleted (0 or 1).
 */
interface NetworkLinkRepository extends Repository<StoredNetworkLink, Long> {
    /** Ordered by id (the order of creation). */
    List<TopologyRepository.StoredLink> findAllByOrderById();

    @Modifying
    @Query(value = "DELETE FROM network_links WHERE id = :id", nativeQuery = true)
    int deleteById(@Param("id") long id);
}
