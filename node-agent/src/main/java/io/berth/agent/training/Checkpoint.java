package io.berth.agent.training;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Training state after {@code epoch} completed epochs: parameters and optimizer state.
 *
 * <p>File format (big-endian, java.io.DataOutput): magic "BRTH", version 1, network shape (UTF),
 * epoch (int), optimizer steps (long), parameter count and values, number of optimizer arrays and
 * for each its length and values. Written to a temporary file and atomically renamed, so a reader
 * sees either the previous or the new checkpoint, never a torn one. The checkpoint it replaces is
 * kept as {@code <file>.prev}, which is used when the newest one is missing (a crash between the
 * two renames) or is not the epoch the replicas agreed to resume from.
 */
record Checkpoint(String shape, int epoch, long optimizerSteps, double[] parameters, double[][] optimizerState) {
    private static final int MAGIC = 0x42525448;
    private static final int VERSION = 1;

    void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(shape);
            out.writeInt(epoch);
            out.writeLong(optimizerSteps);
            writeArray(out, parameters);
            out.writeInt(optimizerState.length);
            for (double[] a : optimizerState) {
                writeArray(out, a);
            }
        }
        if (Files.exists(file)) {
            Files.move(file, previous(file), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static Path previous(Path file) {
        return file.resolveSibling(file.getFileName() + ".prev");
    }

    /** The checkpoint in {@code file}, or null when there is none. */
    static Checkpoint readIfExists(Path file) throws IOException {
        return file != null && Files.exists(file) ? read(file) : null;
    }

    static Checkpoint read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException(file + " is not a Berth checkpoint (version " + VERSION + ")");
            }
            String shape = in.readUTF();
            int epoch = in.readInt();
            long steps = in.readLong();
            double[] params = readArray(in);
            double[][] state = new double[in.readInt()][];
            for (int i = 0; i < state.length; i++) {
                state[i] = readArray(in);
            }
            return new Checkpoint(shape, epoch, steps, params, state);
        }
    }

    private static void writeArray(DataOutputStream out, double[] a) throws IOException {
        out.writeInt(a.length);
        for (double v : a) {
            out.writeDouble(v);
        }
    }

    private static double[] readArray(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 500_000_000) {
            throw new IOException("corrupt checkpoint: array length " + n);
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readDouble();
        }
        return a;
    }
}
