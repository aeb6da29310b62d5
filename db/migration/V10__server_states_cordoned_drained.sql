-- Cordon and drain become different states: CORDONED (no new work, for as long as the operator wants) and
-- DRAINING -> DRAINED (no new work; DRAINED once no worker is active on the server, as Slurm's DRAIN -> DRAINED).
-- Servers cordoned before this version were DRAINING; they stay so and become DRAINED when idle.
ALTER TABLE servers DROP CONSTRAINT servers_state_check;
ALTER TABLE servers ADD CONSTRAINT servers_state_check
    CHECK (state IN ('READY', 'NOT_READY', 'CORDONED', 'DRAINING', 'DRAINED', 'DOWN'));
