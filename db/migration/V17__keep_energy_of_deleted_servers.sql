-- The cluster's IT energy (berth_energy_it_joules_total, GET /api/v1/cluster/power energyJoules) is the sum of the
-- servers' energy counters. A Prometheus counter must never go down, so the energy of a deleted server is kept here
-- (one row) by a trigger in the transaction that deletes it.
CREATE TABLE retired_energy (
    id     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    joules BIGINT  NOT NULL DEFAULT 0 CHECK (joules >= 0)
);
INSERT INTO retired_energy DEFAULT VALUES;

CREATE FUNCTION retire_server_energy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE retired_energy SET joules = joules + OLD.energy_joules;
    RETURN OLD;
END
$$;

CREATE TRIGGER servers_retire_energy AFTER DELETE ON servers
    FOR EACH ROW WHEN (OLD.energy_joules > 0) EXECUTE FUNCTION retire_server_energy();
