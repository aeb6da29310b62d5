package io.berth.agent;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The agent's configuration, from command-line flags and environment variables (flags win).
 *
 * @param controlPlane     --control-plane / BERTH_CONTROL_PLANE, required, http(s) URL
 * @param name             --name / BERTH_NODE_NAME, required, 1-63 of [A-Za-z0-9._-] starting alphanumeric
 * @param hardwareFile     --hardware / BERTH_HARDWARE, simulated hardware YAML; null = discover the real hardware
 * @param workDir          --work-dir / BERTH_WORK_DIR, default ~/.berth/agent/NAME; holds workers.json, logs, checkpoints
 * @param rack             --rack / BERTH_RACK; null = not given (hardware file's rack, else "default")
 * @param advertiseAddress --advertise-address / BERTH_ADVERTISE_ADDRESS, default this host's name (or 127.0.0.1)
 * @param heartbeatSeconds --heartbeat-seconds / BERTH_HEARTBEAT_SECONDS, 1..3600, default 3; the control plane's
 *                         registration reply may override it
 * @param token            BERTH_AGENT_TOKEN only (a flag would show in ps); null = no Authorization header
 * @param kernelLog        --kernel-log / BERTH_KERNEL_LOG, a file receiving kernel messages (e.g. /var/log/kern.log)
 *                         whose NVRM Xid lines are reported as GPU errors; null = none (simulated hardware then
 *                         reads {@code <work-dir>/faults/kern.log})
 * @param suspendCommand   --suspend-command / BERTH_SUSPEND_COMMAND, run by {@code sh -c} when idle power management
 *                         suspends this server (e.g. {@code systemctl suspend}); the agent takes its return for "the
 *                         machine runs again" and reports at once. null = this agent cannot suspend its server (it
 *                         says so to the control plane, which keeps the server READY)
 */
public record AgentConfig(URI controlPlane, String name, Path hardwareFile, Path workDir, String rack,
                          String advertiseAddress, int heartbeatSeconds, String token, Path kernelLog,
                          String suspendCommand) {

    public AgentConfig(URI controlPlane, String name, Path hardwareFile, Path workDir, String rack,
                       String advertiseAddress, int heartbeatSeconds, String token, Path kernelLog) {
        this(controlPlane, name, hardwareFile, workDir, rack, advertiseAddress, heartbeatSeconds, token, kernelLog, null);
    }

    static final String USAGE = """
            usage: java -jar node-agent.jar --control-plane=http://HOST:PORT --name=NAME [options]
              --control-plane=URL        control plane base URL            (BERTH_CONTROL_PLANE)
              --name=NAME                server name in the inventory      (BERTH_NODE_NAME)
              --hardware=FILE            simulated hardware YAML           (BERTH_HARDWARE)
              --work-dir=DIR             state, logs and checkpoints       (BERTH_WORK_DIR, default ~/.berth/agent/NAME)
              --rack=RACK                rack, default from the hardware file or "default" (BERTH_RACK)
              --advertise-address=HOST   address other replicas reach this agent at (BERTH_ADVERTISE_ADDRESS)
              --heartbeat-seconds=N      1..3600, default 3                (BERTH_HEARTBEAT_SECONDS)
              --kernel-log=FILE          kernel log to watch for NVRM Xid lines (BERTH_KERNEL_LOG)
              --suspend-command=CMD      run (sh -c) when power saving suspends this server (BERTH_SUSPEND_COMMAND)
              BERTH_AGENT_TOKEN          bearer token for the control plane (environment only)
            """;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Map<String, String> FLAGS_TO_ENV = flags();

    private static Map<String, String> flags() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("--control-plane", "BERTH_CONTROL_PLANE");
        m.put("--name", "BERTH_NODE_NAME");
        m.put("--hardware", "BERTH_HARDWARE");
        m.put("--work-dir", "BERTH_WORK_DIR");
        m.put("--rack", "BERTH_RACK");
        m.put("--advertise-address", "BERTH_ADVERTISE_ADDRESS");
        m.put("--heartbeat-seconds", "BERTH_HEARTBEAT_SECONDS");
        m.put("--kernel-log", "BERTH_KERNEL_LOG");
        m.put("--suspend-command", "BERTH_SUSPEND_COMMAND");
        return m;
    }

    /** True when the arguments ask for the usage text. */
    static boolean wantsHelp(String[] args) {
        return List.of(args).contains("--help") || List.of(args).contains("-h");
    }

    /** @throws ConfigException naming the flag */
    public static AgentConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (!FLAGS_TO_ENV.containsKey(flag)) {
                throw new ConfigException(flag, "unknown flag (known: " + String.join(", ", FLAGS_TO_ENV.keySet()) + ")");
            }
            String value;
            if (arg.contains("=")) {
                value = arg.substring(arg.indexOf('=') + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new ConfigException(flag, "needs a value");
            }
            given.put(flag, value);
        }
        for (Map.Entry<String, String> e : FLAGS_TO_ENV.entrySet()) {
            String fromEnv = env.get(e.getValue());
            if (!given.containsKey(e.getKey()) && fromEnv != null && !fromEnv.isBlank()) {
                given.put(e.getKey(), fromEnv);
            }
        }
        URI cp = controlPlane(required(given, "--control-plane"));
        String name = required(given, "--name");
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException("--name", "must be 1-63 characters of [A-Za-z0-9._-] starting with a letter or digit but was '" + name + "'");
        }
        Path hardware = null;
        if (given.containsKey("--hardware")) {
            hardware = Path.of(given.get("--hardware"));
            if (!Files.isRegularFile(hardware)) {
                throw new ConfigException("--hardware", "file not found: " + hardware);
            }
        }
        Path workDir = given.containsKey("--work-dir")
                ? Path.of(given.get("--work-dir"))
                : Path.of(System.getProperty("user.home"), ".berth", "agent", name);
        String rack = given.get("--rack");
        if (rack != null && rack.isBlank()) {
            throw new ConfigException("--rack", "must not be blank");
        }
        String advertise = given.containsKey("--advertise-address") ? given.get("--advertise-address") : defaultAddress();
        if (advertise.isBlank()) {
            throw new ConfigException("--advertise-address", "must not be blank");
        }
        int heartbeat = 3;
        if (given.containsKey("--heartbeat-seconds")) {
            String v = given.get("--heartbeat-seconds");
            try {
                heartbeat = Integer.parseInt(v.strip());
            } catch (NumberFormatException e) {
                heartbeat = -1;
            }
            if (heartbeat < 1 || heartbeat > 3600) {
                throw new ConfigException("--heartbeat-seconds", "must be an integer between 1 and 3600 but was '" + v + "'");
            }
        }
        String token = env.get("BERTH_AGENT_TOKEN");
        Path kernelLog = given.containsKey("--kernel-log") ? Path.of(given.get("--kernel-log").strip()) : null;
        String suspend = given.get("--suspend-command");
        return new AgentConfig(cp, name, hardware, workDir, rack, advertise, heartbeat,
                token == null || token.isBlank() ? null : token.strip(), kernelLog,
                suspend == null || suspend.isBlank() ? null : suspend.strip());
    }

    private static String required(Map<String, String> given, String flag) {
        String v = given.get(flag);
        if (v == null || v.isBlank()) {
            throw new ConfigException(flag, "is required (or set " + FLAGS_TO_ENV.get(flag) + ")");
        }
        return v.strip();
    }

    private static URI controlPlane(String value) {
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new ConfigException("--control-plane", "must be an http:// or https:// URL with a host but was '" + value + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException("--control-plane", "is not a valid URL: '" + value + "'");
        }
    }

    private static String defaultAddress() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "127.0.0.1";
        }
    }

    /** The rack to register: the flag, else the hardware file's, else "default". */
    String effectiveRack(String fromHardware) {
        return rack != null ? rack : fromHardware != null ? fromHardware : "default";
    }
}
