package io.berth.core.inventory;

/** Position of a switch in a leaf-spine fabric. Servers connect to LEAF switches. */
public enum SwitchTier { LEAF, SPINE }
