package io.bootcluster;

import java.util.List;

/**
 * The cluster as its master sees it. Available as a bean to
 * {@link ClusterMasterConfiguration master-side configuration}, and as the source of every
 * {@link ClusterWorkerEvent}.
 */
public interface Cluster {

	/**
	 * How many workers the master keeps running.
	 * @return the desired number of workers
	 */
	int desiredWorkers();

	/**
	 * The workers the master currently has, live or on their way out, oldest first.
	 * @return a snapshot of each worker
	 */
	List<WorkerSnapshot> workers();

}
