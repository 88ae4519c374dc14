package io.bootcluster;

/**
 * A worker's JVM joined the master's channel
 */
public class WorkerOnlineEvent extends ClusterWorkerEvent {

	public WorkerOnlineEvent(Cluster cluster, WorkerSnapshot worker) {
		super(cluster, worker);
	}

}
