-- One rendezvous port per server: rank 0 of a multi-replica job listens on master_port on its server (torchrun's
-- MASTER_PORT, the embedded workers' averaging coordinator), so two such jobs holding resources there must not share
-- it. The scheduler picks a free port; this index settles two committers that picked the same one at once.
CREATE UNIQUE INDEX workers_master_port_idx ON workers (server_id, master_port)
    WHERE rank = 0 AND world_size > 1 AND holds_resources;
