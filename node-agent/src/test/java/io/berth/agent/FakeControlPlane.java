package io.berth.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.berth.agent.protocol.ControlPlaneClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small control plane over real HTTP that follows the agent contract: resends an assignment in
 * "start" until the agent reports the worker, sends queued stops once, can require a bearer token,
 * can answer 503 to the next N requests, and can forget agents (heartbeat answers 404 until they
 * register again). Records every request body. It can go down (its port closed, so connections are refused)
 * and come back on the same port, keeping what it knew, like a restarted control plane with its database. A
 * revoked worker that an agent reports RUNNING is answered with a stop, as the real control plane does for a
 * worker that ended on its side (lost and requeued while the agent was away).
 */
final class FakeControlPlane implements AutoCloseable {
    record Request(String path, JsonNode body) {
    }

    private volatile HttpServer server;
    private final int port;
    private final String token;
    private final AtomicInteger rejected = new AtomicInteger();
    private final java.util.Set<String> revoked = ConcurrentHashMap.newKeySet();
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, JsonNode> pendingStarts = new ConcurrentHashMap<>();
    private final Map<String, String> owners = new ConcurrentHashMap<>();
    private final List<String> pendingStops = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failNext = new AtomicInteger();
    /** Heartbeat answers still to carry the suspend directive. */
    private final AtomicInteger suspendNext = new AtomicInteger();
    private final Map<String, Boolean> known = new ConcurrentHashMap<>();
    private final int heartbeatSeconds;

    FakeControlPlane(String token, int heartbeatSeconds) throws IOException {
        this.token = token;
        this.heartbeatSeconds = heartbeatSeconds;
        server = listen(0);
        port = server.getAddress().getPort();
    }

    private HttpServer listen(int onPort) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 0);
        s.createContext("/", this::handle);
        s.start();
        return s;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Closes the port: calls are refused until {@link #up()}. */
    void down() {
        server.stop(0);
    }

    /** Listens again on the same port. */
    void up() throws IOException {
        server = listen(port);
    }

    /** Requests answered with 503 by {@link #failNextRequests}. */
    int rejectedRequests() {
        return rejected.get();
    }

    /** From now on the worker is not assigned to any agent: a RUNNING report of it is answered with a stop. */
    void revoke(String workerId) {
        revoked.add(workerId);
        pendingStarts.remove(workerId);
    }

    void assign(String assignmentJson) {
        JsonNode a = ControlPlaneClient.JSON.readTree(assignmentJson);
        pendingStarts.put(a.get("workerId").stringValue(), a);
    }

    /** Like {@link #assign} but only for the named agent. */
    void assignTo(String agentName, String assignmentJson) {
        JsonNode a = ControlPlaneClient.JSON.readTree(assignmentJson);
        pendingStarts.put(a.get("workerId").stringValue(), a);
        owners.put(a.get("workerId").stringValue(), agentName);
    }

    void stop(String workerId) {
        pendingStops.add(workerId);
    }

    /** The next heartbeat answer tells the agent to suspend its server (idle power management). */
    void suspendOnce() {
        suspendNext.set(1);
    }

    void failNextRequests(int n) {
        failNext.set(n);
    }

    void forgetAgents() {
        known.clear();
    }

    List<JsonNode> bodies(String pathSuffix) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.path().endsWith(pathSuffix)).map(Request::body).toList();
        }
    }

    List<Request> requestsTo(String pathSuffix) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.path().endsWith(pathSuffix)).toList();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            byte[] in = ex.getRequestBody().readAllBytes();
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                rejected.incrementAndGet();
                respond(ex, 503, "{\"title\":\"unavailable\"}");
                return;
            }
            if (token != null && !("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                respond(ex, 401, "{\"title\":\"unauthorized\"}");
                return;
            }
            JsonNode body = ControlPlaneClient.JSON.readTree(new String(in, StandardCharsets.UTF_8));
            requests.add(new Request(path, body));
            if (path.equals("/api/v1/agents/register")) {
                String name = body.get("name").stringValue();
                known.put(name, true);
                respond(ex, 200, "{\"serverName\":\"" + name + "\",\"heartbeatIntervalSeconds\":" + heartbeatSeconds + "}");
            } else if (path.endsWith("/heartbeat")) {
                String name = path.split("/")[4];
                if (!known.containsKey(name)) {
                    respond(ex, 404, "{\"title\":\"unknown agent\"}");
                    return;
                }
                for (JsonNode w : body.get("workers")) {
                    pendingStarts.remove(w.get("workerId").stringValue());
                }
                ObjectNode reply = ControlPlaneClient.JSON.createObjectNode();
                ArrayNode start = reply.putArray("start");
                pendingStarts.forEach((id, a) -> {
                    if (owners.getOrDefault(id, name).equals(name)) {
                        start.add(a);
                    }
                });
                ArrayNode stop = reply.putArray("stop");
                for (JsonNode w : body.get("workers")) {
                    if (revoked.contains(w.get("workerId").stringValue()) && w.get("state").stringValue().equals("RUNNING")) {
                        stop.add(w.get("workerId").stringValue());
                    }
                }
                synchronized (pendingStops) {
                    pendingStops.forEach(stop::add);
                    pendingStops.clear();
                }
                boolean confirming = body.has("power") && "SUSPENDING".equals(body.get("power").stringValue());
                if (confirming || suspendNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) reply.put("suspend", true);
                respond(ex, 200, reply.toString());
            } else if (path.endsWith("/metrics") || path.endsWith("/logs")) {
                respond(ex, 204, null);
            } else {
                respond(ex, 404, "{}");
            }
        }
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        if (body == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        byte[] out = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        ex.getResponseBody().write(out);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
