-- One number that changes whenever the schedulable inventory changes, so a control plane can tell in one primary-key
-- read whether its cached inventory is still current (it used to sum the version of every server row, once per
-- submission and per scheduling cycle). Usage counters (cpu_millis_used, used_milli, ...) and heartbeat times are
-- not inventory: changing them does not move the number.
--
-- The triggers are deferred constraint triggers: they run at commit, after everything else the transaction does,
-- so the lock on this row is always the last one a transaction takes and cannot take part in a deadlock with the
-- row locks of servers. A transaction bumps the number once, however many rows it changed (changed_by).
CREATE TABLE inventory_version (
    -- one row only
    id         BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    version    BIGINT NOT NULL,
    changed_by xid8
);
INSERT INTO inventory_version (version) VALUES (0);

CREATE FUNCTION bump_inventory_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inventory_version SET version = version + 1, changed_by = pg_current_xact_id()
    WHERE changed_by IS DISTINCT FROM pg_current_xact_id();
    RETURN NULL;
END
$$;

-- servers: added, removed, spec or state changed (every such change bumps servers.version), agent (un)registered
CREATE CONSTRAINT TRIGGER servers_added_or_removed AFTER INSERT OR DELETE ON servers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
CREATE CONSTRAINT TRIGGER servers_changed AFTER UPDATE ON servers DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.version IS DISTINCT FROM NEW.version OR OLD.name IS DISTINCT FROM NEW.name
          OR OLD.rack IS DISTINCT FROM NEW.rack OR OLD.state IS DISTINCT FROM NEW.state
          OR OLD.cpu_millis IS DISTINCT FROM NEW.cpu_millis OR OLD.memory_mib IS DISTINCT FROM NEW.memory_mib
          OR OLD.network_mbps IS DISTINCT FROM NEW.network_mbps OR OLD.labels IS DISTINCT FROM NEW.labels
          OR OLD.agent_address IS DISTINCT FROM NEW.agent_address
          OR (OLD.agent_last_seen IS NULL) <> (NEW.agent_last_seen IS NULL))
    EXECUTE FUNCTION bump_inventory_version();

-- accelerators: everything but the usage counter
CREATE CONSTRAINT TRIGGER accelerators_added_or_removed AFTER INSERT OR DELETE ON accelerators
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
CREATE CONSTRAINT TRIGGER accelerators_changed AFTER UPDATE ON accelerators DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD.server_id, OLD.idx, OLD.kind, OLD.vendor, OLD.model, OLD.memory_mib, OLD.interconnect_domain, OLD.health)
          IS DISTINCT FROM
          (NEW.server_id, NEW.idx, NEW.kind, NEW.vendor, NEW.model, NEW.memory_mib, NEW.interconnect_domain, NEW.health))
    EXECUTE FUNCTION bump_inventory_version();

-- the rest of the inventory has no usage columns: any change counts
CREATE CONSTRAINT TRIGGER local_devices_changed AFTER INSERT OR UPDATE OR DELETE ON local_devices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
CREATE CONSTRAINT TRIGGER zones_changed AFTER INSERT OR UPDATE OR DELETE ON zones
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
CREATE CONSTRAINT TRIGGER racks_changed AFTER INSERT OR UPDATE OR DELETE ON racks
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
CREATE CONSTRAINT TRIGGER switches_changed AFTER INSERT OR UPDATE OR DELETE ON switches
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
CREATE CONSTRAINT TRIGGER network_links_changed AFTER INSERT OR UPDATE OR DELETE ON network_links
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
CREATE CONSTRAINT TRIGGER shared_volumes_changed AFTER INSERT OR UPDATE OR DELETE ON shared_volumes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
CREATE CONSTRAINT TRIGGER shared_volume_racks_changed AFTER INSERT OR UPDATE OR DELETE ON shared_volume_racks
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
