package io.bootcluster.master;

import java.time.Duration;

import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Finds hung workers: a connected worker that sent no heartbeat for the heartbeat timeout
 * is asked for a thread dump, then killed, and its exit handled as a crash. Looks once a
 * second. Owned by the supervisor's loop.
 */
final class HeartbeatWatch {

	private static final Log logger = LogFactory.getLog(HeartbeatWatch.class);

	static final Duration INTERVAL = Duration.ofSeconds(1);

	/** How long a JVM gets to print its thread dump before it is killed. */
	static final Duration TIME_TO_PRINT = Duration.ofSeconds(2);

	// Looks come once a second: a gap this long means the master itself did not run
	private static final Duration PAUSE = INTERVAL.multipliedBy(3);

	private final Loop loop;

	private final WorkerTable workers;

	private final MessageRouter router;

	private final Duration timeout;

	private long lastCheck;

	HeartbeatWatch(Loop loop, WorkerTable workers, MessageRouter router, Duration timeout) {
		this.loop = loop;
		this.workers = workers;
		this.router = router;
		this.timeout = timeout;
	}

	void start() {
		this.lastCheck = this.loop.nanoTime();
		this.loop.repeat(this::check, INTERVAL);
	}

	/**
	 * Takes a worker's heartbeat.
	 * @param worker the worker
	 * @param heartbeat what it said
	 */
	void heard(WorkerProcess worker, Message.Heartbeat heartbeat) {
		worker.lastHeartbeat = this.loop.nanoTime();
		worker.health = heartbeat;
	}

	private void check() {
		long now = this.loop.nanoTime();
		long sinceLastCheck = now - this.lastCheck;
		this.lastCheck = now;
		if (sinceLastCheck > PAUSE.toNanos()) {
			// The master itself was stopped (Ctrl-Z, docker pause, SIGSTOP) or starved: the
			// heartbeats that arrived meanwhile wait behind this check, so no worker is
			// judged before it has had a whole timeout to be heard again
			logger.info("The master did not run for " + Duration.ofNanos(sinceLastCheck).toSeconds()
					+ "s: every worker gets a whole heartbeat timeout to be heard again");
			this.workers.all().forEach((worker) -> worker.lastHeartbeat = now);
			return;
		}
		for (WorkerProcess worker : this.workers.all()) {
			Connection connection = worker.connection();
			if (connection != null && this.router.waitsForListeners(connection)) {
				// Its reader waits for the master's own listeners: not a worker that hangs
				worker.lastHeartbeat = now;
			}
			if (worker.life.isConnected() && !worker.life.isLeaving() && worker.killedBecause == null
					&& now - worker.lastHeartbeat > this.timeout.toNanos()) {
				hung(worker);
			}
		}
	}

	private void hung(WorkerProcess worker) {
		logger.error(worker + " sent no heartbeat for " + this.timeout.toSeconds()
				+ "s (cluster.worker.heartbeat-timeout): it counts as hung. Its thread dump follows; then it is killed"
				+ " and replaced.");
		worker.killedBecause = "killed";
		worker.handle.requestThreadDump();
		this.loop.schedule(() -> worker.kill("killed"), TIME_TO_PRINT);
	}

}
