package io.berth.core.power;

/** A server's power as the power saving policy sees it. Only ON servers take work. */
public enum PowerState {
    /** powered and in service as far as power goes (its server state may still keep work away) */
    ON,
    /** the suspend action was sent; treated as off: nothing is planned on it, it is neither resumed nor suspended */
    SUSPENDING,
    /** suspended or powered off: may be resumed when waiting work needs it */
    OFF,
    /** the resume action was sent and the server has not come back yet */
    RESUMING
}
