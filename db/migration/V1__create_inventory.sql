-- Inventory of a data center: zones, racks, switches, links, servers with their accelerators and local storage,
-- shared volumes. Names are the stable identities used by the API; surrogate ids stay internal.

CREATE TABLE zones (
    name        TEXT PRIMARY KEY,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE switches (
    name        TEXT PRIMARY KEY,
    tier        TEXT NOT NULL CHECK (tier IN ('LEAF', 'SPINE')),
    zone        TEXT REFERENCES zones (name),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE racks (
    name        TEXT PRIMARY KEY,
    zone        TEXT NOT NULL REFERENCES zones (name),
    leaf_switch TEXT REFERENCES switches (name),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE servers (
    id                BIGSERIAL PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    rack              TEXT NOT NULL REFERENCES racks (name),
    cpu_millis        BIGINT NOT NULL CHECK (cpu_millis >= 0),
    memory_mib        BIGINT NOT NULL CHECK (memory_mib >= 0),
    network_mbps      BIGINT NOT NULL DEFAULT 0 CHECK (network_mbps >= 0),
    labels            JSONB NOT NULL DEFAULT '{}'::jsonb,
    state             TEXT NOT NULL DEFAULT 'READY' CHECK (state IN ('READY', 'NOT_READY', 'DRAINING', 'DOWN')),
    idle_power_watts  INTEGER NOT NULL DEFAULT 0 CHECK (idle_power_watts >= 0),
    peak_power_watts  INTEGER NOT NULL DEFAULT 0 CHECK (peak_power_watts >= 0),
    version           BIGINT NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX servers_rack_idx ON servers (rack);
CREATE INDEX servers_state_idx ON servers (state);
CREATE INDEX servers_labels_idx ON servers USING GIN (labels);

CREATE TABLE accelerators (
    server_id           BIGINT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    idx                 INTEGER NOT NULL CHECK (idx >= 0),
    kind                TEXT NOT NULL CHECK (kind IN ('GPU', 'TPU')),
    vendor              TEXT NOT NULL DEFAULT '',
    model               TEXT NOT NULL,
    memory_mib          INTEGER NOT NULL CHECK (memory_mib >= 0),
    interconnect_domain TEXT,
    health              TEXT NOT NULL DEFAULT 'HEALTHY' CHECK (health IN ('HEALTHY', 'DEGRADED', 'UNHEALTHY')),
    PRIMARY KEY (server_id, idx)
);
CREATE INDEX accelerators_model_idx ON accelerators (model);

CREATE TABLE local_devices (
    server_id         BIGINT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    medium            TEXT NOT NULL CHECK (medium IN ('NVME', 'SSD', 'HDD')),
    capacity_gib      BIGINT NOT NULL CHECK (capacity_gib >= 0),
    read_mb_per_sec   INTEGER NOT NULL CHECK (read_mb_per_sec >= 0),
    write_mb_per_sec  INTEGER NOT NULL CHECK (write_mb_per_sec >= 0),
    PRIMARY KEY (server_id, name)
);

CREATE TABLE shared_volumes (
    name                 TEXT PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('NAS', 'SAN')),
    capacity_gib         BIGINT NOT NULL CHECK (capacity_gib >= 0),
    bandwidth_mb_per_sec INTEGER NOT NULL CHECK (bandwidth_mb_per_sec >= 0),
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE shared_volume_racks (
    volume TEXT NOT NULL REFERENCES shared_volumes (name) ON DELETE CASCADE,
    rack   TEXT NOT NULL REFERENCES racks (name),
    PRIMARY KEY (volume, rack)
);

-- Undirected links between servers and/or switches. Endpoints are stored in sorted order so that
-- (a, b) and (b, a) are the same link and a re-import cannot duplicate it.
CREATE TABLE network_links (
    id              BIGSERIAL PRIMARY KEY,
    endpoint_a      TEXT NOT NULL,
    endpoint_b      TEXT NOT NULL,
    bandwidth_mbps  BIGINT NOT NULL CHECK (bandwidth_mbps >= 0),
    latency_micros  INTEGER NOT NULL CHECK (latency_micros >= 0),
    CHECK (endpoint_a < endpoint_b),
    UNIQUE (endpoint_a, endpoint_b)
);

-- A fresh installation has one zone and rack so that servers (and agents) without topology have a home.
INSERT INTO zones (name) VALUES ('default');
INSERT INTO racks (name, zone) VALUES ('default', 'default');
