package io.bootcluster.master;

import java.io.IOException;

import org.jspecify.annotations.Nullable;

/**
 * Starts workers' processes.
 */
@FunctionalInterface
interface Launcher {

	/**
	 * Starts a worker's process.
	 * @param id the worker's id
	 * @param slot the slot it starts in, or -1 for a standby
	 * @param standby whether it starts as a standby
	 * @param heapOption the JVM option that sizes its heap for the cluster's size now, or
	 * {@code null} when the user sized it
	 * @return its handle
	 * @throws IOException if the process could not be started
	 */
	WorkerHandle launch(int id, int slot, boolean standby, @Nullable String heapOption) throws IOException;

}
