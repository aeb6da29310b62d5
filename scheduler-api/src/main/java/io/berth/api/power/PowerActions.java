package io.berth.api.power;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Runs the configured suspend and resume actions of the control plane: a shell command ({@code sh -c}, with
 * {@code {server}} replaced by the server's name, which is also in {@code BERTH_SERVER}) or a webhook (POST of
 * {@code {"server": NAME, "action": "suspend"|"resume"}}). Each runs on a small pool of its own, never on the
 * scheduling thread, within {@code command-timeout}; its output is logged. The outcome goes to the callback: null
 * when it succeeded (exit 0, or a 2xx answer), else why it failed.
 */
@Component
class PowerActions implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(PowerActions.class);
    /** Names substituted into a shell command: the inventory's name characters, nothing a shell interprets. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int OUTPUT_LIMIT = 4096;

    private final PowerSavingProperties properties;
    private final ExecutorService pool;
    private final HttpClient http;

    PowerActions(PowerSavingProperties properties) {
        this.properties = properties;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "berth-power-action-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().connectTimeout(properties.commandTimeout()).build();
    }

    /** Suspends by the control plane's command or webhook (suspend-action command or webhook). */
    void suspend(String server, Consumer<String> outcome) {
        run(server, "suspend", properties.suspendCommand(), properties.suspendWebhook(), outcome);
    }

    void resume(String server, Consumer<String> outcome) {
        run(server, "resume", properties.resumeCommand(), properties.resumeWebhook(), outcome);
    }

    private void run(String server, String action, String command, URI webhook, Consumer<String> outcome) {
        pool.execute(() -> {
            String failure;
            try {
                failure = command != null ? command(server, action, command) : webhook(server, action, webhook);
            } catch (RuntimeException e) {
                failure = e.toString();
            }
            try {
                outcome.accept(failure);
            } catch (RuntimeException e) {
                log.error("could not record the outcome of {} of server {}", action, server, e);
            }
        });
    }

    private String command(String server, String action, String template) {
        if (!SAFE_NAME.matcher(server).matches()) return "server name '" + server + "' is not safe to put in a command";
        String command = template.replace("{server}", server);
        ProcessBuilder pb = new ProcessBuilder(List.of("sh", "-c", command)).redirectErrorStream(true);
        pb.environment().put("BERTH_SERVER", server);
        pb.environment().put("BERTH_POWER_ACTION", action);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return "could not start '" + command + "': " + e.getMessage();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(p.getInputStream(), out), "berth-power-output");
        reader.setDaemon(true);
        reader.start();
        try {
            boolean done = p.waitFor(properties.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            reader.join(1000);
            String output = output(out);
            log.info("{} of server {}: '{}' {}{}", action, server, command,
                    done ? "exited with " + p.exitValue() : "timed out after " + properties.commandTimeout(),
                    output.isEmpty() ? "" : "; output: " + output);
            if (!done) return "'" + command + "' did not finish within " + properties.commandTimeout();
            if (p.exitValue() != 0)
                return "'" + command + "' exited with " + p.exitValue() + (output.isEmpty() ? "" : ": " + tail(output));
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return "interrupted";
        }
    }

    private String webhook(String server, String action, URI uri) {
        String body = "{\"server\":\"" + server.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"action\":\"" + action + "\"}";
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(properties.commandTimeout())
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            log.info("{} of server {}: webhook {} answered {}", action, server, uri, r.statusCode());
            if (r.statusCode() / 100 == 2) return null;
            return "webhook " + uri + " answered " + r.statusCode() + (r.body().isBlank() ? "" : ": " + tail(r.body()));
        } catch (IOException e) {
            return "webhook " + uri + " failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[4096];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                synchronized (out) {
                    if (out.size() < OUTPUT_LIMIT) out.write(buf, 0, Math.min(n, OUTPUT_LIMIT - out.size()));
                }
            }
        } catch (IOException ignored) {
            // the process was killed
        }
    }

    private static String output(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8).strip();
        }
    }

    private static String tail(String s) {
        s = s.strip();
        return s.length() <= 300 ? s : "..." + s.substring(s.length() - 300);
    }

    @Override
    public void destroy() {
        pool.shutdownNow();
    }
}
