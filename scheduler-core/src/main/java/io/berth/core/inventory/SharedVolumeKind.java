package io.berth.core.inventory;

public enum SharedVolumeKind { NAS, SAN }
