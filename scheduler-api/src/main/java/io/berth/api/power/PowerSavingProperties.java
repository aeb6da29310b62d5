package io.berth.api.power;

import io.berth.core.power.PowerSaving;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Idle power management ({@code berth.power-saving.*}), Slurm's power saving: servers idle for {@code suspend-after}
 * are suspended, and resumed when queued work needs them. Off by default. Invalid values stop the start-up with a
 * message naming the key.
 *
 * @param enabled              false (default): no server is ever suspended or resumed
 * @param suspendAfter         idle this long (and not needed by the queue or a reservation): suspended; > 0
 * @param keepIdleOn           idle READY servers always kept on; >= 0
 * @param maxSuspendPerMinute  suspends started per minute; > 0
 * @param maxResumePerMinute   resumes started per minute; > 0
 * @param excludedServers      never suspended
 * @param excludedRacks        servers of these racks are never suspended
 * @param resumeTimeout        a server not back this long after its resume was sent becomes NOT_READY; > 0
 * @param expectedResume       how long a resume usually takes, for waiting jobs' "expected ready at"; >= 0
 * @param suspendAction        {@code agent} (default): the next heartbeat answer tells the server's agent to run its
 *                             {@code --suspend-command}; {@code command}: the control plane runs
 *                             {@code suspend-command}; {@code webhook}: it POSTs to {@code suspend-webhook}
 * @param suspendCommand       run by {@code sh -c} with {@code {server}} replaced by the server's name (also in
 *                             {@code BERTH_SERVER}); exit 0 = done
 * @param resumeCommand        likewise for resuming, e.g. {@code ipmitool -H {server}-bmc -U admin -E power on}
 * @param suspendWebhook       POSTed {@code {"server": NAME, "action": "suspend"}}; a 2xx answer = done
 * @param resumeWebhook        likewise with {@code "action": "resume"}; one of resume-command or resume-webhook is
 *                             required when enabled
 * @param commandTimeout       a command or webhook taking longer has failed (the command is killed); > 0
 */
@ConfigurationProperties("berth.power-saving")
public record PowerSavingProperties(@DefaultValue("false") boolean enabled,
                                    @DefaultValue("30m") Duration suspendAfter,
                                    @DefaultValue("0") int keepIdleOn,
                                    @DefaultValue("10") int maxSuspendPerMinute,
                                    @DefaultValue("10") int maxResumePerMinute,
                                    List<String> excludedServers,
                                    List<String> excludedRacks,
                                    @DefaultValue("10m") Duration resumeTimeout,
                                    @DefaultValue("3m") Duration expectedResume,
                                    @DefaultValue("agent") String suspendAction,
                                    String suspendCommand,
                                    String resumeCommand,
                                    URI suspendWebhook,
                                    URI resumeWebhook,
                                    @DefaultValue("60s") Duration commandTimeout) {
    static final String PREFIX = "berth.power-saving.";

    /** @throws IllegalArgumentException naming the first key out of range, e.g. berth.power-saving.suspend-after */
    public PowerSavingProperties {
        excludedServers = excludedServers == null ? List.of() : List.copyOf(excludedServers);
        excludedRacks = excludedRacks == null ? List.of() : List.copyOf(excludedRacks);
        positive(suspendAfter, "suspend-after");
        positive(resumeTimeout, "resume-timeout");
        positive(commandTimeout, "command-timeout");
        if (expectedResume == null || expectedResume.isNegative())
            throw invalid("expected-resume", "must be >= 0, was " + expectedResume);
        if (keepIdleOn < 0) throw invalid("keep-idle-on", "must be >= 0, was " + keepIdleOn);
        if (maxSuspendPerMinute <= 0) throw invalid("max-suspend-per-minute", "must be > 0, was " + maxSuspendPerMinute);
        if (maxResumePerMinute <= 0) throw invalid("max-resume-per-minute", "must be > 0, was " + maxResumePerMinute);
        suspendAction = suspendAction == null ? "agent" : suspendAction.strip().toLowerCase(Locale.ROOT);
        if (!List.of("agent", "command", "webhook").contains(suspendAction))
            throw invalid("suspend-action", "must be agent, command or webhook, was '" + suspendAction + "'");
        suspendCommand = blankToNull(suspendCommand);
        resumeCommand = blankToNull(resumeCommand);
        webhook(suspendWebhook, "suspend-webhook");
        webhook(resumeWebhook, "resume-webhook");
        if (enabled) {
            if (suspendAction.equals("command") && suspendCommand == null)
                throw invalid("suspend-command", "is required with suspend-action=command");
            if (suspendAction.equals("webhook") && suspendWebhook == null)
                throw invalid("suspend-webhook", "is required with suspend-action=webhook");
            if (resumeCommand == null && resumeWebhook == null)
                throw invalid("resume-command", "(or " + PREFIX + "resume-webhook) is required when power saving is enabled");
        }
    }

    /** The core policy's settings. */
    public PowerSaving toCore() {
        return new PowerSaving(enabled, suspendAfter, keepIdleOn, maxSuspendPerMinute, maxResumePerMinute,
                Set.copyOf(excludedServers), Set.copyOf(excludedRacks), resumeTimeout, expectedResume);
    }

    /** True when suspending is the agent's job (a directive in its heartbeat answer). */
    public boolean suspendByAgent() {
        return enabled && suspendAction.equals("agent");
    }

    private static void positive(Duration d, String key) {
        if (d == null || d.isNegative() || d.isZero()) throw invalid(key, "must be > 0, was " + d);
    }

    private static void webhook(URI uri, String key) {
        if (uri != null && (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null))
            throw invalid(key, "must be an http:// or https:// URL, was '" + uri + "'");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static IllegalArgumentException invalid(String key, String message) {
        return new IllegalArgumentException(PREFIX + key + " " + message);
    }
}
