package io.berth.core.replay;

import io.berth.core.placement.PlacementEngine;
import io.berth.core.placement.PluginSettings;
import io.berth.core.placement.PluginSettings.WeightedShape;
import io.berth.core.placement.TaskGroup;
import io.berth.core.workload.OnlineWorkload;

import java.util.List;
import java.util.function.Function;

/** The engine that places the next task of a replay run: fixed, or rebuilt from what the run has learned so far. */
interface EngineSource {
    /** Called once per task, in arrival order, before the task is placed; returns the engine to place it with. */
    PlacementEngine next(TaskGroup task);

    static EngineSource fixed(PlacementEngine engine) {
        return task -> engine;
    }

    /**
     * Learns the typical workload from the tasks that arrived so far (the one being placed included: the product
     * counts a job when it is submitted, before it is placed). The engine is rebuilt after 1, 2, 4, ... 256 arrivals
     * and then every {@link #REFRESH} arrivals, as the product rebuilds its policy now and then rather than per job.
     * Until the learned workload can build the policy (e.g. no GPU task seen yet), {@code fallback} places.
     *
     * @param halfLife in task arrivals
     */
    static EngineSource online(Function<PluginSettings, PlacementEngine> build, PlacementEngine fallback, double halfLife) {
        OnlineWorkload learned = new OnlineWorkload(halfLife, MAX_SHAPES);
        return new EngineSource() {
            long arrivals;
            PlacementEngine current = fallback;

            public PlacementEngine next(TaskGroup task) {
                learned.observe(task, arrivals++);
                if (arrivals <= REFRESH ? Long.bitCount(arrivals) == 1 : arrivals % REFRESH == 0) {
                    List<WeightedShape> typical = learned.typical();
                    try {
                        current = build.apply(new PluginSettings(typical));
                    } catch (IllegalArgumentException notYet) {
                        current = fallback;
                    }
                }
                return current;
            }
        };
    }

    /** Arrivals between rebuilds of the online engine once 256 tasks have arrived. */
    int REFRESH = 256;
    /** Most shapes the replay's learned workload keeps. */
    int MAX_SHAPES = 1024;
}
