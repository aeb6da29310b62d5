-- Accelerator health (issue #14): why an accelerator is not healthy, whether the control plane's health policy (or an
-- operator) took it out of service, and the errors agents reported, each acted on once.

-- health_latched: set by the health policy or an operator. A latched accelerator keeps its health whatever its agent
-- reports (a restarted agent re-registering HEALTHY included) until an operator sets it again. Unlatched, health
-- follows the agent's own probe.
ALTER TABLE accelerators
    ADD COLUMN health_reason     TEXT,
    ADD COLUMN health_latched    BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN health_changed_at TIMESTAMPTZ;

-- One row per error occurrence (the agent's key), so an error repeated by at-least-once delivery or an agent restart
-- is acted on once. actions: what the policy did (e.g. 'unhealthy,requeue,drain-server', or 'event').
CREATE TABLE accelerator_errors (
    id          BIGSERIAL PRIMARY KEY,
    server_id   BIGINT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    error_class TEXT NOT NULL,
    error_key   TEXT NOT NULL,
    message     TEXT NOT NULL,
    actions     TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (server_id, idx, error_key)
);
CREATE INDEX accelerator_errors_device_idx ON accelerator_errors (server_id, idx, id DESC);

-- Accounting: one record per worker, written in the transaction that releases its resources. No foreign keys: the
-- records outlive their jobs and servers. Units: milli-GPUs (gpu_milli = GPUs x share, 1000 = one whole GPU),
-- millicores, MiB, milliseconds, joules.
CREATE TABLE usage_records (
    worker_id         UUID PRIMARY KEY,
    job_id            UUID NOT NULL,
    job_name          TEXT NOT NULL,
    tenant            TEXT NOT NULL,
    attempt           INTEGER NOT NULL,
    server_name       TEXT NOT NULL,
    accelerator_model TEXT,
    gpus              INTEGER NOT NULL,
    milli_gpu         INTEGER NOT NULL,
    gpu_milli         BIGINT NOT NULL,
    cpu_millis        BIGINT NOT NULL,
    memory_mib        BIGINT NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    ended_at          TIMESTAMPTZ NOT NULL,
    wall_millis       BIGINT NOT NULL CHECK (wall_millis >= 0),
    energy_joules     BIGINT NOT NULL CHECK (energy_joules >= 0),
    worker_state      TEXT NOT NULL,
    exit_code         INTEGER,
    -- the job's state when the record was written, kept current by the trigger below while the job exists
    job_state         TEXT NOT NULL
);
CREATE INDEX usage_records_ended_idx ON usage_records (ended_at);
CREATE INDEX usage_records_tenant_ended_idx ON usage_records (tenant, ended_at);
CREATE INDEX usage_records_job_idx ON usage_records (job_id);

CREATE FUNCTION usage_records_follow_job_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE usage_records SET job_state = NEW.state WHERE job_id = NEW.id AND job_state <> NEW.state;
    RETURN NULL;
END
$$;
CREATE TRIGGER jobs_state_to_usage_records AFTER UPDATE OF state ON jobs FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION usage_records_follow_job_state();
