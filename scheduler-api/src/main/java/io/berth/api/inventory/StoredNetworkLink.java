package io.berth.api.inventory;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A row of {@code network_links} (V1), endpoints in sorted order: read and deleted through Spring Data by
 * {@link TopologyService}, as {@link TopologyRepository.StoredLink} records (never as managed entities); created and
 * imported with explicit SQL by {@link TopologyRepository}. Bandwidth in Mbit/s, latency in microseconds.
 */
@Entity
@Table(name = "network_links")
class StoredNetworkLink {
    @Id
    private long id;
    @Column(name = "endpoint_a")
    private String endpointA;
    @Column(name = "endpoint_b")
    private String endpointB;
    @Column(name = "bandwidth_mbps")
    private long bandwidthMbps;
    @Column(name = "latency_micros")
    private int latencyMicros;

    protected StoredNetworkLink() {
    }
}
