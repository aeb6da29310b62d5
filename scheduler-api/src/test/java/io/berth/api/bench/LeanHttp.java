package io.berth.api.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client for the benchmark: one keep-alive connection per calling thread, requests written as
 * bytes, responses read by Content-Length or chunked encoding. The simulated agents share the control plane's two
 * cores, so the client must cost little: {@code java.net.http.HttpClient} took several times the server's CPU per
 * heartbeat here (selector thread, reactive body handling), which measured the client rather than the control plane.
 * Real agents run on other machines. Only what the benchmark sends is supported: no TLS, redirects or 100-continue.
 */
final class LeanHttp {
    record Response(int status, String body) {
    }

    private final int port;
    private final ThreadLocal<Connection> connections = new ThreadLocal<>();

    LeanHttp(int port) {
        this.port = port;
    }

    Response send(String method, String path, String token, String contentType, String body) {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: localhost:").append(port).append("\r\n");
        if (token != null) head.append("Authorization: Bearer ").append(token).append("\r\n");
        if (body != null) head.append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(payload.length).append("\r\n");
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        for (int attempt = 0; ; attempt++) {
            Connection c = connections.get();
            boolean fresh = c == null;
            try {
                if (fresh) connections.set(c = new Connection(port));
                return c.exchange(headBytes, payload);
            } catch (IOException e) {
                connections.remove();
                if (c != null) c.close();
                // a kept-alive connection the server closed meanwhile: retry once on a new one
                if (fresh || attempt > 0) throw new UncheckedIOException(e);
            }
        }
    }

    private static final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("localhost", port), 10_000);
            socket.setSoTimeout(120_000);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        }

        Response exchange(byte[] head, byte[] body) throws IOException {
            out.write(head);
            out.write(body);
            out.flush();
            String statusLine = line();
            if (!statusLine.startsWith("HTTP/1.1 ")) throw new IOException("not an HTTP/1.1 response: " + statusLine);
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String h; !(h = line()).isEmpty(); ) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> {
                    }
                }
            }
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            if (chunked) {
                for (long size; (size = Long.parseLong(line().split(";")[0].trim(), 16)) > 0; ) {
                    copy(size, content);
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length >= 0) {
                copy(length, content);
            } else {
                throw new IOException("response without length");
            }
            if (close) close();
            return new Response(status, content.toString(StandardCharsets.UTF_8));
        }

        private void copy(long n, ByteArrayOutputStream to) throws IOException {
            byte[] buffer = new byte[8192];
            while (n > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, n));
                if (read < 0) throw new IOException("connection closed mid-body");
                to.write(buffer, 0, read);
                n -= read;
            }
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder(64);
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) throw new IOException("connection closed");
                if (b != '\r') s.append((char) b);
            }
            return s.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}
