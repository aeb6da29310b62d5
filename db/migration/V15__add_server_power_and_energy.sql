-- Energy metering (issue #14): each server's latest reported power and a cumulative energy counter, integrated on
-- every heartbeat that reports power (trapezoid between the previous report and this one, the interval capped at the
-- heartbeat timeout so an outage does not integrate a stale figure). Units: watts, joules.
--
-- power_watts/power_source/power_at: the last report (source 'nvidia-smi', 'rapl', 'nvidia-smi+rapl' or 'model');
-- all null until the server's agent reports power (agents older than the field never do).
ALTER TABLE servers
    ADD COLUMN power_watts   INTEGER CHECK (power_watts >= 0),
    ADD COLUMN power_source  TEXT,
    ADD COLUMN power_at      TIMESTAMPTZ,
    ADD COLUMN energy_joules BIGINT NOT NULL DEFAULT 0 CHECK (energy_joules >= 0);

-- The server's energy_joules when the worker started running; null until it runs (or when its server never reported
-- power). A usage record charges the worker its share of the server's energy counted since.
ALTER TABLE workers
    ADD COLUMN energy_start_joules BIGINT;
