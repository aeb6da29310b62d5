package io.berth.api.web;

import java.net.URI;

/** Stable problem type URIs: {@code https://berth.dev/problems/<slug>}. Clients may switch on them. */
public final class Problems {
    private static final String BASE = "https://berth.dev/problems/";

    private Problems() {
    }

    public static URI type(String slug) {
        return URI.create(BASE + slug);
    }
}
