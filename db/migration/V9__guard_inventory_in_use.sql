-- Inventory edits keep the usage counters true (issue #10).
--
-- Who described a server's hardware: OPERATOR (created or replaced through the API, an import or node sync) or AGENT
-- (created by its node agent's registration). An agent may replace only hardware that an agent described; it adopts an
-- operator's server only when what it found covers the description (see AgentService.register). Servers an agent has
-- already registered keep behaving as before this migration.
ALTER TABLE servers
    ADD COLUMN hardware_source TEXT NOT NULL DEFAULT 'OPERATOR' CHECK (hardware_source IN ('OPERATOR', 'AGENT'));
UPDATE servers SET hardware_source = 'AGENT' WHERE agent_last_seen IS NOT NULL;

-- CPU, memory and network usage already stay within capacity (V2's CHECKs refuse shrinking a server's capacity below
-- its usage). An accelerator's capacity is the row itself: deleting a GPU that workers hold, then adding it again,
-- used to reset its counter to 0, and releasing the holders later broke the share CHECK. The API refuses such edits
-- with a 409 naming the holders; this is the last line: a held accelerator (used_milli > 0) cannot be deleted (also
-- not by the cascade of deleting its server), given another kind or model, or lose memory.
CREATE FUNCTION accelerators_keep_held() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.used_milli <> 0 THEN
            RAISE EXCEPTION 'accelerator % of server id % is held (used_milli %) and cannot be removed',
                OLD.idx, OLD.server_id, OLD.used_milli USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.used_milli <> 0 AND (NEW.server_id <> OLD.server_id OR NEW.idx <> OLD.idx OR NEW.kind <> OLD.kind
                                OR NEW.model <> OLD.model OR NEW.memory_mib < OLD.memory_mib) THEN
        RAISE EXCEPTION 'accelerator % of server id % is held (used_milli %) and cannot be replaced or shrunk',
            OLD.idx, OLD.server_id, OLD.used_milli USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER accelerators_keep_held BEFORE DELETE OR UPDATE OF server_id, idx, kind, model, memory_mib
    ON accelerators FOR EACH ROW EXECUTE FUNCTION accelerators_keep_held();
