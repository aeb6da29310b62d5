-- The transaction that last wrote each worker row, so the scheduler can keep its view of the workers holding
-- resources between cycles and read only what changed: every row whose changed_xid is at least the xmin of the
-- snapshot of its previous read (transactions still running then have an xid at least that large).
ALTER TABLE workers ADD COLUMN changed_xid xid8 NOT NULL DEFAULT pg_current_xact_id();

CREATE FUNCTION workers_changed_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_xid := pg_current_xact_id();
    RETURN NEW;
END $$;

CREATE TRIGGER workers_changed_xid BEFORE UPDATE ON workers FOR EACH ROW EXECUTE FUNCTION workers_changed_xid();

CREATE INDEX workers_changed_xid_idx ON workers (changed_xid);
