package io.berth.core.protocol;

import java.util.List;
import java.util.Map;

/** Shared patterns and null handling of the protocol records. */
final class Wire {
    private Wire() {
    }

    static final String NAME = "^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$";
    static final String UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

    /**
     * An absent list reads as empty. Not copied: a null element must reach the control plane's validation (a 400
     * naming the field), not fail in a constructor.
     */
    static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
