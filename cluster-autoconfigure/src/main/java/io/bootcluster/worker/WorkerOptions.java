package io.bootcluster.worker;

import java.time.Duration;

/**
 * How a worker looks after itself.
 *
 * @param onUncaughtException what to do about an uncaught exception
 * @param maxRequests requests after which the worker asks to be replaced, 0 for no limit
 * @param maxHeapAfterGc heap in use after a collection, in bytes, above which the worker
 * asks to be replaced, 0 for no limit
 * @param heartbeatInterval how often the worker tells the master it is alive
 */
public record WorkerOptions(UncaughtExceptionPolicy onUncaughtException, long maxRequests, long maxHeapAfterGc,
		Duration heartbeatInterval) {

	/** The interval at which workers send heartbeats. */
	public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

}
