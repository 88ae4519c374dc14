package io.bootcluster.master;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Ends starts that make no progress. A starting worker is judged once a second by its
 * {@link StartupProgress}: on a machine whose cores are all busy a start takes long, and
 * is not hung for that. Owned by the supervisor's loop.
 */
final class StartupWatch {

	private static final Log logger = LogFactory.getLog(StartupWatch.class);

	private static final Duration INTERVAL = Duration.ofSeconds(1);

	private final Loop loop;

	private final Duration timeout;

	StartupWatch(Loop loop, Duration timeout) {
		this.loop = loop;
		this.timeout = timeout;
	}

	/**
	 * Watches a worker's start from now on, until it serves or waits as a standby.
	 * @param worker the worker
	 */
	void watch(WorkerProcess worker) {
		worker.stopWatchingStartup();
		StartupProgress progress = new StartupProgress(worker.handle::cpuTime, this.timeout, this.loop::nanoTime);
		worker.startupWatch = this.loop.repeat(() -> check(worker, progress), INTERVAL);
	}

	private void check(WorkerProcess worker, StartupProgress progress) {
		if (worker.life.hasServed() || worker.life.isDead() || worker.killedBecause != null) {
			worker.stopWatchingStartup();
			return;
		}
		String verdict = progress.verdict();
		if (verdict != null) {
			logger.error("Killing " + worker + ": " + verdict + " (cluster.worker.startup-timeout="
					+ this.timeout.toSeconds() + "s)");
			worker.kill("killed");
		}
	}

}
