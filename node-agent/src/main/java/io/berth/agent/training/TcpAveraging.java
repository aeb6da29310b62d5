package io.berth.agent.training;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Wire protocol (java.io.DataOutput, big-endian):
 * <ol>
 *   <li>participant → coordinator, once: MAGIC, rank, worldSize, parameterCount, resume epoch, parameters;
 *       coordinator → participant: agreed epoch, parameters (see {@link ModelAveraging#begin})</li>
 *   <li>every epoch, participant → coordinator: epoch, parameters; coordinator → participant: epoch, mean</li>
 * </ol>
 * The coordinator (rank 0) sums its own parameters and then those of ranks 1..n-1 in rank order, so
 * the mean is deterministic.
 */
final class TcpAveraging {
    private static final int MAGIC = 0x42525441;

    private TcpAveraging() {
    }

    static final class Coordinator implements ModelAveraging {
        private final int worldSize;
        private final int timeoutMillis;
        private final ServerSocket server;
        private Socket[] peers;
        private DataInputStream[] ins;
        private DataOutputStream[] outs;
        private volatile boolean closed;

        Coordinator(int worldSize, int port, Duration timeout) throws IOException {
            this.worldSize = worldSize;
            this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            this.server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port));
        }

        /** The bound port (useful when constructed with port 0). */
        int port() {
            return server.getLocalPort();
        }

        @Override
        public synchronized Start begin(int epoch, double[] params) throws IOException {
            if (peers != null) {
                throw new IllegalStateException("begin() called twice");
            }
            int[] epochs = new int[worldSize];
            double[][] offers = new double[worldSize][];
            epochs[0] = epoch;
            offers[0] = params;
            acceptAll(params.length, epochs, offers);
            int best = 0;
            for (int r = 1; r < worldSize; r++) {
                if (epochs[r] > epochs[best]) {
                    best = r;
                }
            }
            for (int r = 1; r < worldSize; r++) {
                outs[r].writeInt(epochs[best]);
                writeDoubles(outs[r], offers[best]);
                outs[r].flush();
            }
            return new Start(epochs[best], offers[best].clone());
        }

        private void acceptAll(int parameterCount, int[] epochs, double[][] offers) throws IOException {
            peers = new Socket[worldSize];
            ins = new DataInputStream[worldSize];
            outs = new DataOutputStream[worldSize];
            server.setSoTimeout(timeoutMillis);
            for (int accepted = 1; accepted < worldSize; accepted++) {
                Socket s;
                try {
                    s = server.accept();
                } catch (SocketTimeoutException e) {
                    throw new IOException("only " + (accepted - 1) + " of " + (worldSize - 1)
                            + " replicas connected to rank 0 within " + timeoutMillis + " ms");
                }
                s.setSoTimeout(timeoutMillis);
                s.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
                int magic = in.readInt();
                int rank = in.readInt();
                int world = in.readInt();
                int count = in.readInt();
                if (magic != MAGIC || world != worldSize || rank < 1 || rank >= worldSize || peers[rank] != null
                        || count != parameterCount) {
                    s.close();
                    throw new IOException("rejected replica hello: rank " + rank + ", worldSize " + world
                            + ", parameters " + count + " (expected worldSize " + worldSize + ", parameters "
                            + parameterCount + ", unique rank 1.." + (worldSize - 1) + ")");
                }
                peers[rank] = s;
                ins[rank] = in;
                outs[rank] = out;
                epochs[rank] = in.readInt();
                offers[rank] = readDoubles(in, count);
            }
        }

        @Override
        public synchronized double[] average(int epoch, double[] params) throws IOException {
            if (closed) {
                throw new IOException("model averaging closed");
            }
            if (peers == null) {
                throw new IllegalStateException("average() before begin()");
            }
            double[] sum = params.clone();
            for (int r = 1; r < worldSize; r++) {
                int theirs = ins[r].readInt();
                if (theirs != epoch) {
                    throw new IOException("rank " + r + " is at epoch " + theirs + " but rank 0 is at epoch " + epoch);
                }
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += ins[r].readDouble();
                }
            }
            for (int i = 0; i < sum.length; i++) {
                sum[i] /= worldSize;
            }
            for (int r = 1; r < worldSize; r++) {
                outs[r].writeInt(epoch);
                for (double v : sum) {
                    outs[r].writeDouble(v);
                }
                outs[r].flush();
            }
            return sum;
        }

        @Override
        public void close() {
            closed = true;
            closeQuietly(server);
            Socket[] p = peers;
            if (p != null) {
                for (Socket s : p) {
                    closeQuietly(s);
                }
            }
        }
    }

    static final class Participant implements ModelAveraging {
        private final int rank;
        private final int worldSize;
        private final String host;
        private final int port;
        private final Duration timeout;
        private volatile Socket socket;
        private DataInputStream in;
        private DataOutputStream out;
        private volatile boolean closed;

        Participant(int rank, int worldSize, String host, int port, Duration timeout) {
            this.rank = rank;
            this.worldSize = worldSize;
            this.host = host;
            this.port = port;
            this.timeout = timeout;
        }

        @Override
        public synchronized Start begin(int epoch, double[] params) throws IOException {
            if (in != null) {
                throw new IllegalStateException("begin() called twice");
            }
            connect();
            out.writeInt(MAGIC);
            out.writeInt(rank);
            out.writeInt(worldSize);
            out.writeInt(params.length);
            out.writeInt(epoch);
            writeDoubles(out, params);
            out.flush();
            int agreed = in.readInt();
            return new Start(agreed, readDoubles(in, params.length));
        }

        /** Connects, retrying while rank 0 is not listening yet, for at most {@code timeout}. */
        private void connect() throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            while (true) {
                Socket s = new Socket();
                socket = s;
                try {
                    s.connect(new InetSocketAddress(host, port), Math.min(timeoutMillis, 10_000));
                    s.setSoTimeout(timeoutMillis);
                    s.setTcpNoDelay(true);
                    break;
                } catch (ConnectException | SocketTimeoutException e) {
                    closeQuietly(s);
                    if (closed || System.nanoTime() > deadline) {
                        throw new IOException("cannot reach rank 0 at " + host + ":" + port + ": " + e.getMessage(), e);
                    }
                    sleep(200);
                }
            }
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        }

        @Override
        public synchronized double[] average(int epoch, double[] params) throws IOException {
            if (closed) {
                throw new IOException("model averaging closed");
            }
            if (in == null) {
                throw new IllegalStateException("average() before begin()");
            }
            out.writeInt(epoch);
            for (double v : params) {
                out.writeDouble(v);
            }
            out.flush();
            int theirs = in.readInt();
            if (theirs != epoch) {
                throw new IOException("rank 0 answered for epoch " + theirs + " instead of " + epoch);
            }
            double[] mean = new double[params.length];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = in.readDouble();
            }
            return mean;
        }

        @Override
        public void close() {
            closed = true;
            closeQuietly(socket);
        }

        private static void sleep(long millis) throws IOException {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to rank 0", e);
            }
        }
    }

    private static void writeDoubles(DataOutputStream out, double[] values) throws IOException {
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    private static double[] readDoubles(DataInputStream in, int count) throws IOException {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = in.readDouble();
        }
        return values;
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
        }
    }
}
