-- Fencing for the scheduling loop. Exactly one control plane places work at a time (Kubernetes leader election on a
-- Lease, or the single local process); this table makes that hold even when a deposed leader has not noticed yet.
--
-- A new leader takes the next epoch (UPDATE ... SET epoch = epoch + 1 RETURNING epoch) before it places anything.
-- Every placement first reads the row FOR SHARE in its own transaction and rolls back unless the epoch is still the
-- one its process took. The UPDATE waits for placements holding the share lock, and every placement after it sees
-- the new epoch, so a deposed leader's placement either commits before the new leader starts or not at all.
CREATE TABLE leader_fence (
    -- one row only
    id       BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    epoch    BIGINT NOT NULL CHECK (epoch >= 0),
    -- identity of the process that took the epoch (pod name or host), for operators
    holder   TEXT,
    taken_at TIMESTAMPTZ
);
INSERT INTO leader_fence (epoch) VALUES (0);

-- The leader epoch a worker was placed under; NULL for workers placed before this migration.
ALTER TABLE workers ADD COLUMN leader_epoch BIGINT;
