-- Jobs, their workers (one placed replica each), events, metrics and logs; resource usage counters that let the
-- database itself refuse over-allocation.

-- Usage counters. A placement adds to them and a finished worker subtracts, in the same transaction as the worker
-- row, so the CHECK constraints make it impossible for two scheduling loops, a retry or a restart to hand the same
-- capacity out twice: the second transaction fails and rolls back.
ALTER TABLE servers
    ADD COLUMN cpu_millis_used   BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN memory_mib_used   BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN network_mbps_used BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN agent_address     TEXT,
    ADD COLUMN agent_last_seen   TIMESTAMPTZ,
    ADD CONSTRAINT servers_cpu_within_capacity CHECK (cpu_millis_used BETWEEN 0 AND cpu_millis),
    ADD CONSTRAINT servers_memory_within_capacity CHECK (memory_mib_used BETWEEN 0 AND memory_mib),
    ADD CONSTRAINT servers_network_within_capacity
        CHECK (network_mbps_used >= 0 AND (network_mbps = 0 OR network_mbps_used <= network_mbps));

ALTER TABLE accelerators
    ADD COLUMN used_milli INTEGER NOT NULL DEFAULT 0,
    ADD CONSTRAINT accelerators_share_within_capacity CHECK (used_milli BETWEEN 0 AND 1000);

CREATE TABLE jobs (
    id               UUID PRIMARY KEY,
    name             TEXT NOT NULL,
    tenant           TEXT NOT NULL,
    priority         INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('QUEUED', 'SCHEDULED', 'RUNNING', 'SUCCEEDED', 'FAILED',
                                                    'CANCELLED', 'PREEMPTED')),
    spec             JSONB NOT NULL,
    idempotency_key  TEXT,
    attempt          INTEGER NOT NULL DEFAULT 0,
    failures         INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    max_retries      INTEGER NOT NULL CHECK (max_retries >= 0),
    max_run_seconds  INTEGER CHECK (max_run_seconds > 0),
    gpu_milli        BIGINT NOT NULL CHECK (gpu_milli >= 0),
    cpu_millis       BIGINT NOT NULL CHECK (cpu_millis >= 0),
    memory_mib       BIGINT NOT NULL CHECK (memory_mib >= 0),
    pending_reason   TEXT,
    message          TEXT,
    version          BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ,
    UNIQUE (tenant, idempotency_key)
);
CREATE INDEX jobs_queue_idx ON jobs (priority DESC, created_at) WHERE state = 'QUEUED';
CREATE INDEX jobs_state_tenant_idx ON jobs (state, tenant);
CREATE INDEX jobs_created_idx ON jobs (created_at DESC);

CREATE TABLE job_events (
    id         BIGSERIAL PRIMARY KEY,
    job_id     UUID NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    at         TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    from_state TEXT,
    to_state   TEXT NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX job_events_job_idx ON job_events (job_id, id);

CREATE TABLE workers (
    id                 UUID PRIMARY KEY,
    job_id             UUID NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt            INTEGER NOT NULL,
    task_group         TEXT NOT NULL,
    replica            INTEGER NOT NULL,
    rank               INTEGER NOT NULL,
    world_size         INTEGER NOT NULL,
    server_id          BIGINT NOT NULL REFERENCES servers (id),
    gpu_indices        INTEGER[] NOT NULL,
    milli_gpu          INTEGER NOT NULL CHECK (milli_gpu BETWEEN 0 AND 1000),
    cpu_millis         BIGINT NOT NULL,
    memory_mib         BIGINT NOT NULL,
    network_mbps       BIGINT NOT NULL,
    storage_gib        BIGINT NOT NULL DEFAULT 0,
    storage_mb_per_sec INTEGER NOT NULL DEFAULT 0,
    master_addr        TEXT NOT NULL,
    master_port        INTEGER NOT NULL,
    -- ASSIGNED: sent to the agent; STOPPING: the agent is told to stop it. Terminal: SUCCEEDED, FAILED, LOST, STOPPED.
    state              TEXT NOT NULL CHECK (state IN ('ASSIGNED', 'RUNNING', 'STOPPING', 'SUCCEEDED', 'FAILED',
                                                      'LOST', 'STOPPED')),
    -- true while the worker's resources are counted in the usage columns; cleared exactly once on release.
    holds_resources    BOOLEAN NOT NULL DEFAULT true,
    exit_code          INTEGER,
    message            TEXT,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (job_id, attempt, task_group, replica)
);
CREATE INDEX workers_server_active_idx ON workers (server_id) WHERE holds_resources OR state IN ('ASSIGNED', 'RUNNING', 'STOPPING');
CREATE INDEX workers_job_idx ON workers (job_id, attempt);

CREATE TABLE job_metrics (
    worker_id          UUID NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    job_id             UUID NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    epoch              INTEGER NOT NULL CHECK (epoch >= 0),
    loss               DOUBLE PRECISION NOT NULL,
    accuracy           DOUBLE PRECISION,
    samples_per_second DOUBLE PRECISION,
    at                 TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (worker_id, epoch)
);
CREATE INDEX job_metrics_job_idx ON job_metrics (job_id, epoch);

CREATE TABLE worker_logs (
    id        BIGSERIAL PRIMARY KEY,
    job_id    UUID NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    worker_id UUID NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
    at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    line      TEXT NOT NULL
);
CREATE INDEX worker_logs_job_idx ON worker_logs (job_id, id);

-- Per-tenant limits; a tenant without a row is unlimited.
CREATE TABLE tenant_quotas (
    tenant           TEXT PRIMARY KEY,
    gpu_milli_limit  BIGINT CHECK (gpu_milli_limit >= 0),
    cpu_millis_limit BIGINT CHECK (cpu_millis_limit >= 0)
);
