package io.berth.api.auth;

/**
 * ADMIN: everything. OPERATOR: inventory, draining, quotas (read), all jobs. USER: submits and sees only its own
 * tenant's jobs, reads the inventory. AGENT: only the agent protocol, and only for its own server.
 */
public enum Role { ADMIN, OPERATOR, USER, AGENT }
