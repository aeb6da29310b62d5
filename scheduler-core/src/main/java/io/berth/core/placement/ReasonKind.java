package io.berth.core.placement;

/** Why a server cannot host a replica; {@link #phrase} is the human wording used in "why not" summaries. */
public enum ReasonKind {
    SERVER_NOT_READY("server not ready"),
    CPU("not enough free CPU"),
    MEMORY("not enough free memory"),
    GPU_COUNT("too few GPUs"),
    GPU_MODEL("GPU model not accepted"),
    GPU_MEMORY("not enough GPU memory"),
    GPU_FREE("not enough free GPU"),
    STORAGE("not enough free local storage"),
    STORAGE_BANDWIDTH("not enough local storage bandwidth"),
    NETWORK("not enough network bandwidth"),
    TOPOLOGY("outside the required topology domain"),
    GANG("gang could not be placed together");

    private final String phrase;

    ReasonKind(String phrase) {
        this.phrase = phrase;
    }

    public String phrase() {
        return phrase;
    }
}
