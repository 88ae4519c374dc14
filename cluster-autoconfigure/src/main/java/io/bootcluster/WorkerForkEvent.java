package io.bootcluster;

/**
 * A worker process was started.
 */
public class WorkerForkEvent extends ClusterWorkerEvent {

	public WorkerForkEvent(Cluster cluster, WorkerSnapshot worker) {
		super(cluster, worker);
	}

}
