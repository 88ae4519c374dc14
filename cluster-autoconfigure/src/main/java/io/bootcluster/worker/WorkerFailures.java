package io.bootcluster.worker;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What a worker does with a failure it should not keep serving with (an uncaught
 * exception, or a {@link VirtualMachineError} while serving a request), as
 * {@code cluster.worker.on-uncaught-exception} says: ask the master for a replacement,
 * exit, or carry on. Stateless beyond its parts, which own their own state.
 */
final class WorkerFailures {

	private static final Log logger = LogFactory.getLog(WorkerFailures.class);

	private final int id;

	private final UncaughtExceptionPolicy policy;

	private final WorkerHeartbeat heartbeat;

	private final WorkerDeparture departure;

	WorkerFailures(int id, UncaughtExceptionPolicy policy, WorkerHeartbeat heartbeat, WorkerDeparture departure) {
		this.id = id;
		this.policy = policy;
		this.heartbeat = heartbeat;
		this.departure = departure;
	}

	/**
	 * Reports every thread that dies of an uncaught exception, after whatever handler
	 * was there before.
	 */
	void reportUncaughtExceptions() {
		if (this.policy == UncaughtExceptionPolicy.IGNORE) {
			return;
		}
		Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
		Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> {
			if (previous != null) {
				previous.uncaughtException(thread, failure);
			}
			else {
				logger.error("Thread \"" + thread.getName() + "\" died of an uncaught exception", failure);
			}
			failed("thread \"" + thread.getName() + "\" died of " + failure);
		});
	}

	/**
	 * Acts on a failure.
	 * @param failure what happened
	 */
	void failed(String failure) {
		switch (this.policy) {
			case REPLACE -> {
				if (!this.departure.isLeaving()) {
					this.heartbeat.requestReplacement(failure);
				}
			}
			case EXIT -> {
				logger.error("Worker " + this.id + " exits: " + failure);
				JvmEnd.PROCESS.exit(JvmEnd.FAILED);
			}
			case IGNORE -> {
				// Logged where it happened
			}
		}
	}

}
