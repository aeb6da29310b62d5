-- The scheduler's usage counters move off the inventory rows into tables of their own, owned by the scheduling
-- feature (issue #13): a placement or a release writes only server_usage and accelerator_usage, the inventory (its API,
-- imports, agents' registrations and heartbeats) only servers and accelerators, so the two never write one row.
--
-- The database still refuses over-allocation (V2): server_usage carries a copy of its server's capacity, kept by a
-- trigger in the statement that changes the capacity, and CHECKs the counters against it. A capacity update below
-- what is held fails as before (the copy's CHECK, in the same statement), and as both a placement and a capacity
-- update write the server_usage row, a row lock orders them and the CHECK sees the later one's total.
-- Every server and accelerator has its usage row, created by triggers in the statement that inserts it and deleted
-- by the cascade that deletes it. Usage rows are not inventory: they do not move inventory_version (V5).
--
-- No placement or release may commit between the copy below and the drop of the old columns (it would be lost from
-- the copy): a control plane still running the previous version (a rolling upgrade) waits here instead. The ALTERs
-- at the end take stronger locks anyway; this one takes them before the copy.
LOCK TABLE servers, accelerators IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE server_usage (
    server_id         BIGINT PRIMARY KEY REFERENCES servers (id) ON DELETE CASCADE,
    cpu_millis_used   BIGINT NOT NULL DEFAULT 0,
    memory_mib_used   BIGINT NOT NULL DEFAULT 0,
    network_mbps_used BIGINT NOT NULL DEFAULT 0,
    -- copies of servers.cpu_millis, memory_mib, network_mbps (0 = network not counted), written only by the trigger
    cpu_millis        BIGINT NOT NULL,
    memory_mib        BIGINT NOT NULL,
    network_mbps      BIGINT NOT NULL,
    CONSTRAINT server_usage_cpu_within_capacity CHECK (cpu_millis_used BETWEEN 0 AND cpu_millis),
    CONSTRAINT server_usage_memory_within_capacity CHECK (memory_mib_used BETWEEN 0 AND memory_mib),
    CONSTRAINT server_usage_network_within_capacity
        CHECK (network_mbps_used >= 0 AND (network_mbps = 0 OR network_mbps_used <= network_mbps))
);

-- used_milli: the share of the accelerator held, 1000 = all of it
CREATE TABLE accelerator_usage (
    server_id  BIGINT  NOT NULL,
    idx        INTEGER NOT NULL,
    used_milli INTEGER NOT NULL DEFAULT 0
        CONSTRAINT accelerator_usage_share_within_capacity CHECK (used_milli BETWEEN 0 AND 1000),
    PRIMARY KEY (server_id, idx),
    FOREIGN KEY (server_id, idx) REFERENCES accelerators (server_id, idx) ON DELETE CASCADE ON UPDATE CASCADE
);

INSERT INTO server_usage (server_id, cpu_millis_used, memory_mib_used, network_mbps_used, cpu_millis, memory_mib,
                          network_mbps)
SELECT id, cpu_millis_used, memory_mib_used, network_mbps_used, cpu_millis, memory_mib, network_mbps FROM servers;
INSERT INTO accelerator_usage (server_id, idx, used_milli) SELECT server_id, idx, used_milli FROM accelerators;

-- New servers and accelerators get their usage rows: one INSERT per statement (an import inserts many rows).
CREATE FUNCTION server_usage_for_new_servers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO server_usage (server_id, cpu_millis, memory_mib, network_mbps)
    SELECT id, cpu_millis, memory_mib, network_mbps FROM added;
    RETURN NULL;
END $$;
CREATE TRIGGER servers_add_usage AFTER INSERT ON servers REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION server_usage_for_new_servers();

CREATE FUNCTION accelerator_usage_for_new_accelerators() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO accelerator_usage (server_id, idx) SELECT server_id, idx FROM added;
    RETURN NULL;
END $$;
CREATE TRIGGER accelerators_add_usage AFTER INSERT ON accelerators REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION accelerator_usage_for_new_accelerators();

-- A capacity change is copied in the same statement; below what is held, the copy's CHECK refuses the statement.
CREATE FUNCTION server_usage_follow_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE server_usage SET cpu_millis = NEW.cpu_millis, memory_mib = NEW.memory_mib, network_mbps = NEW.network_mbps
    WHERE server_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER servers_capacity_to_usage AFTER UPDATE OF cpu_millis, memory_mib, network_mbps ON servers
    FOR EACH ROW WHEN ((OLD.cpu_millis, OLD.memory_mib, OLD.network_mbps)
                       IS DISTINCT FROM (NEW.cpu_millis, NEW.memory_mib, NEW.network_mbps))
    EXECUTE FUNCTION server_usage_follow_capacity();

-- V9's guard of held accelerators reads the share from accelerator_usage. FOR SHARE waits for a placement or release
-- of this accelerator that is in flight and reads what it committed (the row lock on accelerators used to do that).
CREATE OR REPLACE FUNCTION accelerators_keep_held() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    held INTEGER;
BEGIN
    SELECT used_milli INTO held FROM accelerator_usage WHERE server_id = OLD.server_id AND idx = OLD.idx FOR SHARE;
    held := coalesce(held, 0);
    IF TG_OP = 'DELETE' THEN
        IF held <> 0 THEN
            RAISE EXCEPTION 'accelerator % of server id % is held (used_milli %) and cannot be removed',
                OLD.idx, OLD.server_id, held USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF held <> 0 AND (NEW.server_id <> OLD.server_id OR NEW.idx <> OLD.idx OR NEW.kind <> OLD.kind
                      OR NEW.model <> OLD.model OR NEW.memory_mib < OLD.memory_mib) THEN
        RAISE EXCEPTION 'accelerator % of server id % is held (used_milli %) and cannot be replaced or shrunk',
            OLD.idx, OLD.server_id, held USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

ALTER TABLE servers
    DROP CONSTRAINT servers_cpu_within_capacity,
    DROP CONSTRAINT servers_memory_within_capacity,
    DROP CONSTRAINT servers_network_within_capacity,
    DROP COLUMN cpu_millis_used,
    DROP COLUMN memory_mib_used,
    DROP COLUMN network_mbps_used;
ALTER TABLE accelerators
    DROP CONSTRAINT accelerators_share_within_capacity,
    DROP COLUMN used_milli;
