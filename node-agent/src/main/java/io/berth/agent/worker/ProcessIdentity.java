package io.berth.agent.worker;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A process started by this agent (the worker's wrapper), told apart from an unrelated process that got the same
 * pid later, and the process group it leads.
 *
 * <p>A pid alone is no identity: once the process has ended the kernel may hand the number to any new process.
 * On Linux the start time in clock ticks after boot (field 22 of {@code /proc/<pid>/stat}) and the boot id
 * ({@code /proc/sys/kernel/random/boot_id}) make it one; they are read from the kernel directly rather than through
 * {@link ProcessHandle.Info#startInstant()}, whose wall-clock instant is derived from the boot time and moves when
 * the clock is stepped, so two agent runs could disagree about the same process. Elsewhere ({@code startTicks}
 * null) the start instant in epoch milliseconds is compared instead.
 *
 * @param pid         process id of the wrapper
 * @param ownGroup    true when the wrapper was started under {@code setsid}, so it leads a process group (and
 *                    session) whose id is {@code pid} and that holds every process the job starts unless one
 *                    leaves it on purpose
 * @param startTicks  start time in clock ticks after boot (Linux); null when unknown
 * @param bootId      boot the process was started in (Linux); null when unknown
 * @param startMillis start instant, epoch milliseconds; null when unknown; used when {@code startTicks} is null
 */
record ProcessIdentity(long pid, boolean ownGroup, Long startTicks, String bootId, Long startMillis) {
    private static final Path PROC = Path.of("/proc");

    /** The identity of a process just started by this JVM. */
    static ProcessIdentity of(ProcessHandle h, boolean ownGroup) {
        Long startMillis = h.info().startInstant().map(Instant::toEpochMilli).orElse(null);
        return new ProcessIdentity(h.pid(), ownGroup, Stat.read(h.pid()).map(Stat::startTicks).orElse(null),
                currentBootId(), startMillis);
    }

    /**
     * True while this very process runs (a zombie has ended: it only waits to be reaped). False when the identity
     * has no start time (the process ended before it could be read): such a pid cannot be told from a reused one.
     */
    boolean running() {
        if (startTicks == null && startMillis == null) {
            return false;
        }
        if (startTicks != null) {
            boolean sameBoot = bootId == null || bootId.equals(currentBootId());
            return sameBoot && Stat.read(pid).filter(s -> s.startTicks() == startTicks && s.running()).isPresent();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(ph -> ph.info().startInstant().map(Instant::toEpochMilli).orElse(-1L).equals(startMillis))
                .isPresent();
    }

    /**
     * True when the pid now names another process. Then the group with that id is not ours either: the kernel does
     * not reuse a pid while a process group of that id has members, so a new process with our pid means our group
     * is empty.
     */
    private boolean pidReused() {
        if (startTicks == null && startMillis == null) {
            return true; // cannot tell: never signal it
        }
        if (startTicks != null) {
            if (bootId != null && !bootId.equals(currentBootId())) {
                return true;
            }
            return Stat.read(pid).filter(s -> s.startTicks() != startTicks).isPresent();
        }
        return ProcessHandle.of(pid).filter(ph -> !ph.info().startInstant().map(Instant::toEpochMilli).orElse(startMillis)
                .equals(startMillis)).isPresent();
    }

    /** True while some process of our group (other than zombies) is running, the wrapper or one it left behind. */
    boolean groupRunning() {
        if (!ownGroup || startTicks == null || pidReused()) {
            return running();
        }
        return !Stat.membersOf(pid).isEmpty();
    }

    /**
     * Sends {@code signal} ("TERM" or "KILL") to the whole process group, which reaches every process the job
     * started, also those that are no longer descendants of the wrapper (their parent exited). Without a group
     * of our own (no setsid, or the group does not exist yet because setsid has not run), it goes to the wrapper
     * and its current descendants. Never signals anything once the pid names another process.
     */
    void signal(String signal) {
        if (pidReused()) {
            return;
        }
        if (ownGroup && groupKill(signal, pid)) {
            return;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ph -> running());
        if (h.isEmpty()) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(h.get().descendants().toList());
        tree.add(h.get());
        tree.forEach("KILL".equals(signal) ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
    }

    /**
     * kill(2) with a negative pid through the shell's {@code kill}: Java has no call for signalling a group.
     * True when the group existed.
     */
    private static boolean groupKill(String signal, long pgid) {
        try {
            Process p = new ProcessBuilder("sh", "-c", "kill -s \"$1\" -- \"-$2\"", "sh", signal, Long.toString(pgid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String currentBootId() {
        try {
            return Files.readString(PROC.resolve("sys/kernel/random/boot_id")).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The fields of {@code /proc/<pid>/stat} that identify a process and its group. */
    record Stat(long pid, char state, long pgrp, long startTicks) {
        boolean running() {
            return state != 'Z' && state != 'X' && state != 'x';
        }

        static Optional<Stat> read(long pid) {
            try {
                return Optional.ofNullable(parse(pid, Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"))));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }

        /** Parses a stat line; the command name (field 2) is in parentheses and may itself hold spaces and ')'. */
        static Stat parse(long pid, String line) {
            int close = line.lastIndexOf(')');
            if (close < 0) {
                return null;
            }
            String[] f = line.substring(close + 2).trim().split(" ");
            // f[0] is field 3 (state), f[2] field 5 (pgrp), f[19] field 22 (starttime)
            return new Stat(pid, f[0].charAt(0), Long.parseLong(f[2]), Long.parseLong(f[19]));
        }

        /** Running (non-zombie) processes in process group {@code pgid}. */
        static List<Stat> membersOf(long pgid) {
            List<Stat> out = new ArrayList<>();
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().chars()
                    .allMatch(Character::isDigit))) {
                for (Path p : procs) {
                    read(Long.parseLong(p.getFileName().toString()))
                            .filter(s -> s.pgrp() == pgid && s.running())
                            .ifPresent(out::add);
                }
            } catch (IOException | RuntimeException e) {
                // no /proc: nothing known about the group
            }
            return out;
        }
    }
}
