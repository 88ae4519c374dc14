package io.bootcluster;

import java.util.Objects;

/**
 * A worker process ended. Unless the master asked it to go
 * ({@link WorkerSnapshot#exitedAfterDisconnect()}), the master replaces it.
 */
public class WorkerExitEvent extends ClusterWorkerEvent {

	public WorkerExitEvent(Cluster cluster, WorkerSnapshot worker) {
		super(cluster, worker);
	}

	/**
	 * How the process ended.
	 * @return the exit code and signal
	 */
	public WorkerExit getExit() {
		return Objects.requireNonNull(getWorker().exit());
	}

}
