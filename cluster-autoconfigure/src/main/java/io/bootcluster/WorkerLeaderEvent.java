package io.bootcluster;

/**
 * A worker became the cluster's leader, or stopped being it: {@link #isLeader()} says
 * which. At most one worker leads at a time.
 */
public class WorkerLeaderEvent extends ClusterWorkerEvent {

	private final boolean leader;

	public WorkerLeaderEvent(Cluster cluster, WorkerSnapshot worker, boolean leader) {
		super(cluster, worker);
		this.leader = leader;
	}

	/**
	 * Whether the worker leads from now on.
	 * @return {@code true} when it was granted leadership, {@code false} when it lost it
	 */
	public boolean isLeader() {
		return this.leader;
	}

}
