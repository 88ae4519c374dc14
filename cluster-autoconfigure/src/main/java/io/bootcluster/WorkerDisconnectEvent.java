package io.bootcluster;

/**
 * The channel to a worker closed. When the master asked the worker to go, {@link WorkerSnapshot#exitedAfterDisconnect()} is {@code true}.
 */
public class WorkerDisconnectEvent extends ClusterWorkerEvent {

	public WorkerDisconnectEvent(Cluster cluster, WorkerSnapshot worker) {
		super(cluster, worker);
	}

}
