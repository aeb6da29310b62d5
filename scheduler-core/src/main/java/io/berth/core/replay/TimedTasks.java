package io.berth.core.replay;

import io.berth.core.placement.TaskGroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The tasks of an openb list with their times (seconds from the start of the trace), for {@link TraceSimulation}.
 *
 * @param durationSeconds how long the task ran: deletion_time - scheduled_time, or deletion_time - creation_time for
 *                        the tasks the trace never scheduled (empty scheduled_time); never negative
 */
record TimedTasks(List<Task> tasks) {
    record Task(int index, TaskGroup group, long creationSeconds, long durationSeconds) {
    }

    private record Times(long creation, long duration) {
    }

    /**
     * @param timesFrom where to take the times (by task name) when {@code file} has no time columns; tasks it does not
     *                  name get the times of one of its tasks drawn with {@code seed}. Null: {@code file} must have them.
     */
    static TimedTasks read(Path file, Path timesFrom, long seed) throws IOException {
        List<TaskGroup> groups = TraceFiles.tasks(file);
        Map<String, Times> own = times(file);
        Map<String, Times> byName = own;
        if (own == null) {
            if (timesFrom == null)
                throw new IllegalArgumentException(file + " has no creation_time, deletion_time and scheduled_time "
                        + "columns: give --times with a list that has them (e.g. openb_pod_list_default.csv)");
            byName = times(timesFrom);
            if (byName == null) throw new IllegalArgumentException(timesFrom + " has no time columns either");
        }
        List<Times> pool = new ArrayList<>(byName.values());
        SplittableRandom random = new SplittableRandom(seed);
        List<Task> tasks = new ArrayList<>(groups.size());
        for (TaskGroup g : groups) {
            Times t = byName.get(g.name());
            if (t == null) t = pool.get(random.nextInt(pool.size()));
            tasks.add(new Task(tasks.size(), g, t.creation(), t.duration()));
        }
        return new TimedTasks(List.copyOf(tasks));
    }

    /**
     * The tasks {@code times} times back to back: copy k (0-based) of a task arrives k * (span + 1) seconds later,
     * where span is the time between the list's first and last creation; indices run on across copies.
     */
    static List<Task> repeated(List<Task> tasks, int times) {
        if (times == 1 || tasks.isEmpty()) return tasks;
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        for (Task t : tasks) {
            first = Math.min(first, t.creationSeconds());
            last = Math.max(last, t.creationSeconds());
        }
        List<Task> out = new ArrayList<>(tasks.size() * times);
        for (int k = 0; k < times; k++)
            for (Task t : tasks)
                out.add(new Task(out.size(), t.group(), t.creationSeconds() + k * (last - first + 1), t.durationSeconds()));
        return List.copyOf(out);
    }

    /** Times by task name, or null when the file has no time columns. */
    private static Map<String, Times> times(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        String[] header = lines.get(0).split(",", -1);
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < header.length; i++) col.put(header[i].trim(), i);
        Integer name = col.get("name"), created = col.get("creation_time"), deleted = col.get("deletion_time"),
                scheduled = col.get("scheduled_time");
        if (created == null || deleted == null || scheduled == null) return null;
        Map<String, Times> out = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            String[] f = line.split(",", -1);
            long c = Long.parseLong(f[created].trim());
            long start = f[scheduled].isBlank() ? c : Long.parseLong(f[scheduled].trim());
            long end = Long.parseLong(f[deleted].trim());
            out.put(f[name], new Times(c, Math.max(0, end - start)));
        }
        return out;
    }
}
