package io.bootcluster.master;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.bootcluster.master.WorkerLife.Departure;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * How workers leave: asked to go, and killed if they are not gone within the shutdown
 * timeout; and how the whole cluster stops, which ends the master once every worker's
 * process is gone. Owned by the supervisor's loop, except {@link #awaitTermination()}.
 */
final class Departures {

	private static final Log logger = LogFactory.getLog(Departures.class);

	private final Loop loop;

	private final WorkerTable workers;

	private final Duration shutdownTimeout;

	private final CompletableFuture<Integer> terminated = new CompletableFuture<>();

	private boolean stopping;

	private Runnable onRetire = () -> {
	};

	Departures(Loop loop, WorkerTable workers, Duration shutdownTimeout) {
		this.loop = loop;
		this.workers = workers;
		this.shutdownTimeout = shutdownTimeout;
	}

	/**
	 * Asks a worker to go. A worker that cannot leave, however stuck, is not left to hold
	 * its slot: it is killed after the shutdown timeout.
	 * @param worker the worker
	 * @param departure what happens once it is gone
	 * @param reason why, for its log
	 */
	void retire(WorkerProcess worker, Departure departure, String reason) {
		worker.leave(departure, reason);
		this.onRetire.run();
		this.loop.schedule(() -> {
			if (!worker.life.isDead()) {
				logger.warn("Killing " + worker + ": it did not exit within " + this.shutdownTimeout.toSeconds()
						+ "s of being asked to (cluster.shutdown-timeout)");
				worker.kill("killed");
			}
		}, this.shutdownTimeout);
	}

	/**
	 * What to do each time a worker is asked to go, such as revoking its leadership.
	 * @param action the action
	 */
	void onRetire(Runnable action) {
		this.onRetire = action;
	}

	boolean isStopping() {
		return this.stopping;
	}

	/**
	 * Stops the cluster: asks every worker to disconnect, kills those still there after
	 * the shutdown timeout. A second call kills them at once.
	 */
	void stopCluster() {
		if (this.stopping) {
			logger.warn("Stopping now: killing " + this.workers.size() + " workers");
			this.workers.all().forEach((worker) -> worker.kill("killed"));
			this.loop.schedule(this::finishOnceAllGone, Duration.ofSeconds(1));
			return;
		}
		this.stopping = true;
		if (this.workers.isEmpty()) {
			finish(0);
			return;
		}
		logger.info("Stopping the cluster: asking " + this.workers.size() + " workers to disconnect (at most "
				+ this.shutdownTimeout.toSeconds() + "s)");
		List.copyOf(this.workers.all())
			.forEach((worker) -> retire(worker, Departure.REMOVE, "the master is stopping"));
		this.loop.schedule(this::finishOnceAllGone, this.shutdownTimeout.plusSeconds(1));
	}

	/**
	 * Takes note that a worker is gone while the cluster stops.
	 */
	void exitedWhileStopping() {
		if (this.workers.isEmpty()) {
			finish(0);
		}
	}

	// The master stops once its workers' processes are gone, even if handling an exit
	// failed (a class that could not load from a jar replaced in place, say)
	private void finishOnceAllGone() {
		if (this.terminated.isDone()) {
			return;
		}
		if (this.workers.anyAlive()) {
			this.loop.schedule(this::finishOnceAllGone, Duration.ofSeconds(1));
			return;
		}
		logger.warn("Every worker has exited, some without the master seeing it through: stopping");
		finish(0);
	}

	/**
	 * Ends the master.
	 * @param code its exit code
	 */
	void finish(int code) {
		this.terminated.complete(code);
	}

	/**
	 * Waits until the cluster has stopped.
	 * @return the master's exit code: 0 after a requested stop, 1 when every slot stopped
	 * respawning
	 */
	int awaitTermination() {
		return this.terminated.join();
	}

	/**
	 * Runs an action once the master ends.
	 * @param action the action
	 */
	void onFinish(Runnable action) {
		this.terminated.whenComplete((code, failure) -> action.run());
	}

}
