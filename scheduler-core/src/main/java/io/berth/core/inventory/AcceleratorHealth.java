package io.berth.core.inventory;

/** Health as reported by the agent. Only HEALTHY accelerators receive new work. */
public enum AcceleratorHealth { HEALTHY, DEGRADED, UNHEALTHY }
