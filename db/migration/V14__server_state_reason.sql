-- Why an operator (or a health policy) took a server out of service: set with cordon, drain or a state change,
-- cleared when the server is made READY again.
ALTER TABLE servers ADD COLUMN state_reason TEXT CHECK (length(state_reason) <= 500);
