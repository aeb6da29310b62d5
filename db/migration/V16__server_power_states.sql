-- Idle power management (berth.power-saving.*): POWERING_OFF (the suspend action was sent), POWERED_OFF (suspended
-- or off; resumed when queued work needs it), RESUMING (the resume action was sent). None of them takes work.
ALTER TABLE servers DROP CONSTRAINT servers_state_check;
ALTER TABLE servers ADD CONSTRAINT servers_state_check
    CHECK (state IN ('READY', 'NOT_READY', 'CORDONED', 'DRAINING', 'DRAINED', 'DOWN',
                     'POWERING_OFF', 'POWERED_OFF', 'RESUMING'));
-- When the server last entered or left one of the power states (the resume timeout counts from it).
ALTER TABLE servers ADD COLUMN power_changed_at TIMESTAMPTZ;

-- What happened to a server, for operators: suspends, resumes and their failures.
CREATE TABLE server_events (
    id        BIGSERIAL PRIMARY KEY,
    server_id BIGINT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    at        TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    reason    TEXT NOT NULL CHECK (length(reason) <= 2000)
);
CREATE INDEX server_events_server_idx ON server_events (server_id, id);
