package io.berth.core.inventory;

public enum AcceleratorKind { GPU, TPU }
