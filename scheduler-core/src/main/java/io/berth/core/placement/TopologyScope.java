package io.berth.core.placement;

/** How close the replicas of a task group should be. NONE puts no constraint on them. */
public enum TopologyScope {
    NONE,
    /** All GPUs of the group in one interconnect domain (NVLink island; domain ids are global strings). */
    INTERCONNECT_DOMAIN,
    /** All replicas under one leaf (top-of-rack) switch. */
    LEAF_SWITCH,
    /** All replicas in one rack. */
    RACK
}
