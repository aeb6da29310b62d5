package io.berth.api.inventory;

import jakarta.persistence.criteria.Predicate;
import jakarta.persistence.criteria.Root;
import jakarta.persistence.criteria.Subquery;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code servers} with their accelerators and local devices through Spring Data, for {@link ServerService} only,
 * which owns the transactions and maps the entities to {@link ServerView} records before they end. The listing pages
 * with a {@code Pageable} and filters with {@link #matching}; a page's parts are read in one query per kind
 * ({@link StoredServer#PARTS_BATCH}). The state change and the delete are one bulk statement each, returning the
 * number of rows changed (0 or 1); the parts go with a deleted server (ON DELETE CASCADE, V1).
 */
interface StoredServerRepository extends Repository<StoredServer, Long>, JpaSpecificationExecutor<StoredServer> {
    Optional<StoredServer> findByName(String name);

    StoredServer save(StoredServer server);

    /** Writes what the persistence context holds now, so that a refused write fails inside the repository call. */
    void flush();

    /** Sets the state and its reason; the version moves, as with every write of the row. */
    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query(value = """
            UPDATE servers SET state = :state, state_reason = :reason, version = version + 1, updated_at = now()
            WHERE name = :name""", nativeQuery = true)
    int updateState(@Param("name") String name, @Param("state") String state, @Param("reason") String reason);

    @Modifying(clearAutomatically = true, flushAutomatically = true)
    @Query(value = "DELETE FROM servers WHERE name = :name", nativeQuery = true)
    int deleteByName(@Param("name") String name);

    /**
     * The servers that match every filter that is set: state, rack, an accelerator of the model, the label present
     * ({@code jsonb_exists}) or with the value ({@code labels @> {"key": "value"}}, as {@code jsonb_contains}).
     */
    static Specification<StoredServer> matching(ServerFilter f) {
        return (server, query, cb) -> {
            List<Predicate> all = new ArrayList<>();
            if (f.state() != null) all.add(cb.equal(server.get("state"), f.state()));
            if (f.rack() != null) all.add(cb.equal(server.get("rack"), f.rack()));
            if (f.acceleratorModel() != null) {
                Subquery<Integer> withModel = query.subquery(Integer.class);
                Root<StoredAccelerator> a = withModel.from(StoredAccelerator.class);
                withModel.select(cb.literal(1))
                        .where(cb.equal(a.get("server"), server), cb.equal(a.get("model"), f.acceleratorModel()));
                all.add(cb.exists(withModel));
            }
            if (f.labelKey() != null) {
                all.add(cb.isTrue(f.labelValue() == null
                        ? cb.function("jsonb_exists", Boolean.class, server.get("labels"), cb.literal(f.labelKey()))
                        : cb.function("jsonb_contains", Boolean.class, server.get("labels"),
                        cb.function("jsonb_build_object", Object.class, cb.literal(f.labelKey()),
                                cb.literal(f.labelValue())))));
            }
            return cb.and(all.toArray(Predicate[]::new));
        };
    }
}
