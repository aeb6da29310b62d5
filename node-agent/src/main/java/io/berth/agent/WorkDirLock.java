package io.berth.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One agent per work directory: the agent holds an exclusive lock on {@code <work-dir>/agent.lock}, with its pid in
 * it, for as long as it lives (the operating system releases it when the process ends, however it ends). A second
 * agent on the same directory would fight the first over the same workers and pid files, so it refuses to start.
 */
final class WorkDirLock {
    static final String NAME = "agent.lock";
    /** Kept for the life of the process: a lock is released when its channel is closed or collected. */
    private static FileChannel held;

    private WorkDirLock() {
    }

    /** @throws ConfigException naming the agent that holds the directory */
    static synchronized void take(Path workDir) {
        Path file = workDir.resolve(NAME);
        try {
            Files.createDirectories(workDir);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                channel.close();
                throw new ConfigException("--work-dir", "another node agent in this process already runs on " + workDir);
            }
            if (lock == null) {
                String pid = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip();
                channel.close();
                throw new ConfigException("--work-dir", "another node agent" + (pid.isEmpty() ? "" : " (pid " + pid + ")")
                        + " already runs on " + workDir);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)));
            channel.force(false);
            held = channel;
        } catch (IOException e) {
            throw new ConfigException("--work-dir", "cannot lock " + file + ": " + e.getMessage());
        }
    }
}
