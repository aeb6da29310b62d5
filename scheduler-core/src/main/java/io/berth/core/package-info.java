/** Berth scheduler core: plain Java, no Spring, JPA or HTTP types. */
package io.berth.core;
