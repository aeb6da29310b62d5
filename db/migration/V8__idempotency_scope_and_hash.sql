-- Idempotency keys of single and batch submissions live in separate scopes (a batch stores job i under <key>#<i>, which
-- must not answer a single submission with key "<key>#<i>"), and each key keeps the SHA-256 of the normalised request
-- it was first used with, so that the same key with a different body is refused (422) instead of replayed.
ALTER TABLE jobs ADD COLUMN idempotency_scope TEXT CHECK (idempotency_scope IN ('job', 'batch'));
ALTER TABLE jobs ADD COLUMN idempotency_hash BYTEA;

-- Keys stored before: a batch stored job i as <key>#<i>. Their hash is unknown (NULL), so they replay as before.
UPDATE jobs SET idempotency_scope = CASE WHEN idempotency_key ~ '#[0-9]+$' THEN 'batch' ELSE 'job' END
WHERE idempotency_key IS NOT NULL;

ALTER TABLE jobs DROP CONSTRAINT jobs_tenant_idempotency_key_key;
ALTER TABLE jobs ADD CONSTRAINT jobs_tenant_idempotency_scope_key_key UNIQUE (tenant, idempotency_scope, idempotency_key);
