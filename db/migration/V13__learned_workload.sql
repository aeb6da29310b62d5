-- The typical workload the scheduler learned from submitted jobs (shapes with exponentially decayed counts), kept
-- across restarts so fragmentation-aware policies do not start from nothing. One row; the snapshot is replaced whole
-- in one statement (see LearnedWorkload).
CREATE TABLE learned_workload (
    id         SMALLINT PRIMARY KEY CHECK (id = 1),
    snapshot   JSONB       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
