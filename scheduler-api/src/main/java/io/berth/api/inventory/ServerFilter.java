package io.berth.api.inventory;

import io.berth.core.inventory.ServerState;

/**
 * The server listing's filters, ANDed; null means "any". The label filter is {@code labelKey} alone (the label is
 * present) or with {@code labelValue} (it has exactly that value).
 */
record ServerFilter(ServerState state, String rack, String acceleratorModel, String labelKey, String labelValue) {
    static final ServerFilter ANY = new ServerFilter(null, null, null, null, null);
}
