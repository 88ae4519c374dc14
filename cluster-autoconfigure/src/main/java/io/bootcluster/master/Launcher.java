package io.bootcluster.master;

import java.io.IOException;

/**
 * Starts workers' processes.
 */
@FunctionalInterface
interface Launcher {

	/**
	 * Starts a worker's process.
	 * @param id the worker's id
	 * @param standby whether it starts as a standby
	 * @return its handle
	 * @throws IOException if the process could not be started
	 */
	WorkerHandle launch(int id, boolean standby) throws IOException;

}
