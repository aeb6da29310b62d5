package io.berth.agent;

/** Invalid agent configuration; the message names the flag and is printed as is before exiting with code 2. */
public final class ConfigException extends RuntimeException {
    private final String flag;

    ConfigException(String flag, String problem) {
        super(flag + ": " + problem);
        this.flag = flag;
    }

    /** The flag, e.g. "--heartbeat-seconds". */
    public String flag() {
        return flag;
    }
}
