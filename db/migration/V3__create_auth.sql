-- API tokens (only a SHA-256 of each token is stored) and the audit log of mutating calls.

CREATE TABLE api_tokens (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    token_hash  BYTEA NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('ADMIN', 'OPERATOR', 'USER', 'AGENT')),
    -- USER tokens act for one tenant; AGENT tokens for one server, or, without a server, are enrollment tokens
    -- (shared by a DaemonSet) that may only register and receive a token bound to the registered server.
    tenant      TEXT,
    server      TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at  TIMESTAMPTZ,
    CHECK ((role = 'USER') = (tenant IS NOT NULL)),
    CHECK (role = 'AGENT' OR server IS NULL)
);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    principal  TEXT NOT NULL,
    role       TEXT,
    tenant     TEXT,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    status     INTEGER NOT NULL,
    outcome    TEXT NOT NULL CHECK (outcome IN ('SUCCESS', 'DENIED', 'FAILED'))
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
