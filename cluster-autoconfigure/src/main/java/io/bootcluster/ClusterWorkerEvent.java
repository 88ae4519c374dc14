package io.bootcluster;

import org.springframework.context.ApplicationEvent;

/**
 * Something happened to a worker. Published in the master, in the order it happened, on
 * a thread of its own: a slow or failing listener holds up the later events, never the
 * cluster itself.
 */
public abstract class ClusterWorkerEvent extends ApplicationEvent {

	private final WorkerSnapshot worker;

	protected ClusterWorkerEvent(Cluster cluster, WorkerSnapshot worker) {
		super(cluster);
		this.worker = worker;
	}

	/**
	 * The worker, as it was when the event happened.
	 * @return the worker
	 */
	public WorkerSnapshot getWorker() {
		return this.worker;
	}

	@Override
	public Cluster getSource() {
		return (Cluster) super.getSource();
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[worker=" + this.worker.id() + ", pid=" + this.worker.pid() + "]";
	}

}
