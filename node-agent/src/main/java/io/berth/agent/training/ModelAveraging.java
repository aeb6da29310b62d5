package io.berth.agent.training;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/**
 * Synchronises the replicas of one multi-replica job at the end of every epoch by replacing each
 * replica's parameters with the element-wise mean over all replicas.
 *
 * <p>{@link #average} blocks until every replica has contributed the same epoch; any replica failing
 * or disagreeing on the epoch fails the round for all with an IOException (the job is then requeued
 * as a whole). {@link #close} is idempotent and unblocks a pending {@link #average}.
 */
public interface ModelAveraging extends Closeable {

    /**
     * Where all replicas start: after {@code epoch} completed epochs, with {@code parameters}.
     */
    record Start(int epoch, double[] parameters) {
    }

    /**
     * Start-of-training agreement, called once before {@link #average}: every replica offers the
     * epoch of the checkpoint it could resume from (0 = none) and its parameters; all replicas get
     * the most advanced offer (the lowest rank among equals). Replicas therefore resume together even
     * when a requeued replica landed on a server without its checkpoint.
     */
    Start begin(int epoch, double[] parameters) throws IOException;

    /** Returns the mean of {@code params} over all replicas for {@code epoch}; may return {@code params} itself. */
    double[] average(int epoch, double[] params) throws IOException;

    @Override
    void close();

    /** A single replica: the identity. */
    static ModelAveraging none() {
        return new ModelAveraging() {
            @Override
            public Start begin(int epoch, double[] parameters) {
                return new Start(epoch, parameters);
            }

            @Override
            public double[] average(int epoch, double[] params) {
                return params;
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Star topology over TCP: rank 0 listens on {@code masterPort} (all interfaces; bound here, at
     * construction, so peers can connect early), every other rank connects to {@code masterAddr:masterPort}.
     *
     * @param timeout how long to wait for peers to connect and for each round to complete
     */
    static ModelAveraging tcp(int rank, int worldSize, String masterAddr, int masterPort, Duration timeout)
            throws IOException {
        if (worldSize <= 1) {
            return none();
        }
        return rank == 0
                ? new TcpAveraging.Coordinator(worldSize, masterPort, timeout)
                : new TcpAveraging.Participant(rank, worldSize, masterAddr, masterPort, timeout);
    }
}
