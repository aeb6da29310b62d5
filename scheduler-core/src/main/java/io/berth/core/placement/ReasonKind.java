package io.berth.core.placement;

/** Why a server cannot host a replica; {@link #phrase} is the human wording used in "why not" summaries. */
public enum ReasonKind {
    SERVER_NOT_READY("server not ready"),
    NO_AGENT("no agent connected"),
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
    GANG("gang could not be placed together"),
    /** The whole cluster, every server empty and in service, has less than the job needs; the reason has no server. */
    CLUSTER_GPU("the cluster has too few GPUs"),
    CLUSTER_CPU("the cluster has too little CPU"),
    CLUSTER_MEMORY("the cluster has too little memory");

    private final String phrase;

    ReasonKind(String phrase) {
        this.phrase = phrase;
    }

    public String phrase() {
        return phrase;
    }
}
