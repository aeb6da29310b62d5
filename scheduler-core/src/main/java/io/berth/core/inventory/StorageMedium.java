package io.berth.core.inventory;

public enum StorageMedium { NVME, SSD, HDD }
