package io.berth.api.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Who holds an embedded PostgreSQL data directory. zonky keeps a file lock on {@code epg-lock} in the directory for
 * as long as its control plane lives; the lock goes with the process. PostgreSQL itself writes its pid to {@code
 * postmaster.pid} and outlives a control plane killed with SIGKILL. So:
 * <ul>
 *     <li>a live postmaster on the directory and nobody holding the lock: an orphan of a killed control plane; it is
 *     stopped (fast shutdown, as {@code pg_ctl stop -m fast}) and the new server starts on the same data;</li>
 *     <li>the lock held by another process: a live control plane uses the directory; start-up stops with
 *     {@link InUseException} naming that process;</li>
 *     <li>{@code postmaster.pid} naming a process that is not a PostgreSQL on this directory (the pid was reused):
 *     the stale file is removed, since PostgreSQL would refuse to start while that unrelated process lives.</li>
 * </ul>
 */
final class DataDirectory {
    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    /** The directory is in use by another live control plane. */
    static final class InUseException extends IllegalStateException {
        InUseException(String message) {
            super(message);
        }
    }

    private DataDirectory() {
    }

    static void stopOrphanedServer(Path dir) throws IOException {
        Path pidFile = dir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) return;
        Path lockFile = dir.resolve("epg-lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new InUseException("the embedded PostgreSQL data directory " + dir
                        + " is already in use by this process (pid " + ProcessHandle.current().pid() + ")");
            }
            if (lock == null) {
                throw new InUseException("the embedded PostgreSQL data directory " + dir
                        + " is in use by another running control plane"
                        + lockHolder(lockFile).map(p -> " (pid " + p + ")").orElse("")
                        + "; stop it, or give this one another directory with BERTH_DATA_DIR");
            }
            try {
                // no live control plane holds the directory: whatever postmaster.pid names is left over
                handleLeftover(dir, pidFile);
            } finally {
                lock.release();
            }
        }
    }

    private static void handleLeftover(Path dir, Path pidFile) throws IOException {
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty() || !lines.get(0).strip().matches("\\d+")) return; // PostgreSQL decides
        long pid = Long.parseLong(lines.get(0).strip());
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) return; // stale, and PostgreSQL removes a stale file itself
        Optional<Boolean> ours = isPostmasterOf(process.get(), dir);
        if (ours.isEmpty()) return; // cannot tell (process of another user): PostgreSQL decides
        if (ours.get()) {
            log.warn("an embedded PostgreSQL (pid {}) from a control plane that did not shut down still runs on {}: "
                    + "stopping it", pid, dir);
            stop(process.get());
        } else {
            log.warn("{} names pid {}, which is not a PostgreSQL on this directory: removing the stale file",
                    pidFile, pid);
            Files.deleteIfExists(pidFile);
        }
    }

    /** Whether {@code process} is a PostgreSQL server on {@code dir}; empty when its command line cannot be read. */
    private static Optional<Boolean> isPostmasterOf(ProcessHandle process, Path dir) {
        Optional<String> command = process.info().command();
        Optional<String[]> args = process.info().arguments();
        if (command.isEmpty() || args.isEmpty()) return Optional.empty();
        if (!command.get().endsWith("postgres")) return Optional.of(false);
        String[] a = args.get();
        for (int i = 0; i + 1 < a.length; i++) {
            if ("-D".equals(a[i]) && samePlace(Path.of(a[i + 1]), dir)) return Optional.of(true);
        }
        return Optional.of(false);
    }

    private static boolean samePlace(Path a, Path b) {
        try {
            return Files.isSameFile(a, b); // through symbolic links
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /** SIGINT is PostgreSQL's fast shutdown: clients are disconnected, data is written out cleanly. */
    private static void stop(ProcessHandle postmaster) throws IOException {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(postmaster.pid())).inheritIO().start().waitFor();
            postmaster.onExit().get(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
            log.info("stopped the orphaned embedded PostgreSQL (pid {})", postmaster.pid());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the orphaned PostgreSQL " + postmaster.pid(), e);
        } catch (Exception e) {
            throw new IOException("could not stop the orphaned PostgreSQL (pid " + postmaster.pid() + ") within "
                    + STOP_WAIT.toSeconds() + " s; stop it by hand", e);
        }
    }

    /** The pid holding a POSIX lock on {@code file}, from /proc/locks (Linux); empty elsewhere or if not found. */
    private static Optional<Long> lockHolder(Path file) {
        try {
            Object inode = Files.getAttribute(file, "unix:ino");
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                // "1: POSIX  ADVISORY  WRITE 4032 08:01:1234567 0 EOF"
                String[] f = line.trim().split("\\s+");
                if (f.length > 5 && f[5].endsWith(":" + inode)) return Optional.of(Long.parseLong(f[4]));
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // not Linux, or no /proc: the message goes without the pid
        }
        return Optional.empty();
    }
}
