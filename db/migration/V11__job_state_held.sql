-- HELD: a job kept out of scheduling until it is released (Slurm's scontrol hold / release). Only a QUEUED job can be
-- held; release returns it to QUEUED.
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check
    CHECK (state IN ('QUEUED', 'HELD', 'SCHEDULED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'PREEMPTED'));
-- jobs are addressed by name too (GET /api/v1/jobs?name=), newest first
CREATE INDEX jobs_name_idx ON jobs (name, created_at DESC);
