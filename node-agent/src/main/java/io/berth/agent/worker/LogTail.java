package io.berth.agent.worker;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a growing log file in batches of whole lines and remembers (in a sidecar file
 * {@code <log>.shipped}) how far it has been delivered, so an agent restart neither loses nor
 * repeats lines already shipped. Two-phase: {@link #next} reads without advancing, {@link #commit}
 * advances after a successful delivery. Not thread-safe: one shipping thread.
 */
final class LogTail {
    static final int MAX_LINES = 1000;
    private static final int MAX_BYTES = 256 * 1024;

    private final Path file;
    private final Path offsetFile;
    private volatile long offset;
    private long pending;

    LogTail(Path file) {
        this.file = file;
        this.offsetFile = file.resolveSibling(file.getFileName() + ".shipped");
        long saved = 0;
        try {
            if (Files.exists(offsetFile)) {
                saved = Long.parseLong(Files.readString(offsetFile).strip());
            }
        } catch (IOException | NumberFormatException e) {
            saved = 0;
        }
        this.offset = saved;
        this.pending = saved;
    }

    /**
     * The next complete lines after the delivered offset (at most {@link #MAX_LINES}); with
     * {@code includePartial} also a trailing line without newline (used once the writer has finished).
     * Empty when there is nothing new.
     */
    List<String> next(boolean includePartial) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            return lines;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            if (length <= offset) {
                pending = offset;
                return lines;
            }
            byte[] buf = new byte[(int) Math.min(MAX_BYTES, length - offset)];
            raf.seek(offset);
            raf.readFully(buf);
            int start = 0;
            for (int i = 0; i < buf.length && lines.size() < MAX_LINES; i++) {
                if (buf[i] == '\n') {
                    lines.add(decode(buf, start, i));
                    start = i + 1;
                }
            }
            boolean atEof = offset + buf.length == length;
            boolean fullBufferWithoutNewline = start == 0 && buf.length == MAX_BYTES;
            if (lines.size() < MAX_LINES && start < buf.length && ((includePartial && atEof) || fullBufferWithoutNewline)) {
                lines.add(decode(buf, start, buf.length));
                start = buf.length;
            }
            pending = offset + start;
        }
        return lines;
    }

    private static String decode(byte[] buf, int from, int to) {
        int end = to > from && buf[to - 1] == '\r' ? to - 1 : to;
        return new String(buf, from, end - from, StandardCharsets.UTF_8);
    }

    void commit() {
        if (pending == offset) {
            return;
        }
        offset = pending;
        try {
            Files.writeString(offsetFile, Long.toString(offset));
        } catch (IOException e) {
            // worst case some lines are shipped twice after a restart
        }
    }

    /** True when everything in the file has been delivered. */
    boolean drained() {
        try {
            return !Files.exists(file) || Files.size(file) <= offset;
        } catch (IOException e) {
            return true;
        }
    }
}
