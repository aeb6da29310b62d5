package io.berth.api.web;

import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.Test;

class ProbeTmpTest extends ApiTestBase {
    @Test
    void probe() {
        String[] heads = {"GET /api/v1/servers/..%2Fx HTTP/1.1", "GET /api/v1/servers/a%2Fb HTTP/1.1",
                "GET /api/v1/servers/a%00b HTTP/1.1", "GET /api/v1/servers/../servers HTTP/1.1",
                "GET /api/v1/servers;x=1 HTTP/1.1", "GET /api/v1/servers/%2e%2e/x HTTP/1.1",
                "GET /api/v1/servers/a%0d%0aX:1 HTTP/1.1", "GET /api/v1/servers/a%0ab HTTP/1.1",
                "GET /api/v1/%5Cservers HTTP/1.1", "GET /api/v1/servers?x=%00 HTTP/1.1", "GET /api/v1/jobs?tenant=a%00b HTTP/1.1",
                "GET /api/v1/servers/%ZZ HTTP/1.1", "GET /actuator/prometheus HTTP/1.1"};
        for (String h : heads) {
            Response r = raw(h, null);
            System.out.println("PROBE " + h + " -> " + r.status() + " " + r.headers().firstValue("Content-Type").orElse("-")
                    + " " + r.body().substring(0, Math.min(150, r.body().length())).replace("\n", " "));
        }
        String[][] posts = {{"/api/v1/servers", "*/*", "{}"}, {"/api/v1/servers", "application/*", "{}"},
                {"/api/v1/jobs", "*/*", "{}"}, {"/api/v1/jobs", null, "name: x"}, {"/api/v1/servers", null, "name: x"},
                {"/api/v1/inventory/import", "text/*", "x"}, {"/api/v1/tokens", "application/yaml", "name: a\nrole: ADMIN\nbogus: 1"},
                {"/api/v1/servers", "application/json", "{\"name\":\"a\\u0000b\",\"rack\":\"default\",\"cpuMillis\":1000,\"memoryMib\":10}"},
                {"/api/v1/servers", "application/json", "{\"name\":\"ab\",\"name\":\"c\",\"rack\":\"default\",\"cpuMillis\":1000,\"memoryMib\":10}"},
                {"/api/v1/servers", "application/json", "{\"name\":\"ab\",\"rack\":\"default\",\"cpuMillis\":1000.5,\"memoryMib\":10}"},
                {"/api/v1/servers", "application/json", "{\"name\":\"ab\",\"rack\":\"default\",\"cpuMillis\":\"1000\",\"memoryMib\":10}"},
                {"/api/v1/servers", "application/yaml", "name: ab\nrack: default\ncpuMillis: 1000\nmemoryMib: 10\n"},
        };
        for (String[] p : posts) {
            Response r = raw("POST " + p[0] + " HTTP/1.1" + (p[1] == null ? "" : "\r\nContent-Type: " + p[1]), p[2].getBytes());
            System.out.println("PROBE POST " + p[0] + " " + p[1] + " -> " + r.status() + " " + r.headers().firstValue("Content-Type").orElse("-")
                    + " " + r.body().substring(0, Math.min(300, r.body().length())).replace("\n", " "));
        }
    }
}
