package io.bootcluster;

import java.net.InetSocketAddress;

/**
 * A worker's web server is bound to the shared port, and the master has checked that it
 * really shares it.
 */
public class WorkerListeningEvent extends ClusterWorkerEvent {

	private final InetSocketAddress address;

	public WorkerListeningEvent(Cluster cluster, WorkerSnapshot worker, InetSocketAddress address) {
		super(cluster, worker);
		this.address = address;
	}

	/**
	 * The address the worker listens on.
	 * @return the address
	 */
	public InetSocketAddress getAddress() {
		return this.address;
	}

}
