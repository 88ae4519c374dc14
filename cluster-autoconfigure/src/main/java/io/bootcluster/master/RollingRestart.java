package io.bootcluster.master;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import io.bootcluster.ClusterStatus;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The cluster's rolling restart, one at a time: the workers it has yet to replace, in
 * order, the step under way (a worker and the successor that replaces it), and the status
 * {@code /actuator/cluster} shows. A step ends once the successor serves and its
 * predecessor is gone; the next then begins. A successor that dies before it serves ends
 * the restart as failed, and the remaining workers keep serving. Owned by the
 * supervisor's loop.
 */
final class RollingRestart {

	private static final Log logger = LogFactory.getLog(RollingRestart.class);

	/**
	 * Starts a successor for a worker.
	 */
	@FunctionalInterface
	interface Replacer {

		/**
		 * Starts a successor in a worker's slot.
		 * @param worker the worker to replace
		 * @param reason why, for the log
		 * @return the successor, or {@code null} when none was started
		 */
		@Nullable WorkerProcess replace(WorkerProcess worker, String reason);

	}

	private final WorkerTable workers;

	private final ClusterHistory history;

	private final Deque<Integer> remaining = new ArrayDeque<>();

	private @Nullable Replacer replacer;

	private @Nullable WorkerProcess predecessor;

	private @Nullable WorkerProcess successor;

	private boolean running;

	private ClusterStatus.@Nullable Restart status;

	RollingRestart(WorkerTable workers, ClusterHistory history) {
		this.workers = workers;
		this.history = history;
	}

	/**
	 * Starts a restart.
	 * @param ids the workers to replace, in order
	 * @param replacer how a worker gets its successor
	 */
	void start(List<Integer> ids, Replacer replacer) {
		if (this.running) {
			throw new IllegalStateException("A rolling restart is running");
		}
		logger.info("Rolling restart of workers " + ids);
		this.running = true;
		this.replacer = replacer;
		this.remaining.addAll(ids);
		this.status = new ClusterStatus.Restart("running", ClusterHistory.timestamp(Instant.now()), null, ids, null);
		advance();
	}

	boolean isRunning() {
		return this.running;
	}

	/**
	 * The restart running, or the last one.
	 * @return its status, or {@code null} when there was none
	 */
	ClusterStatus.@Nullable Restart status() {
		return this.status;
	}

	/**
	 * Takes note that a worker serves: when it is the step's successor and its predecessor
	 * is gone, the next step begins.
	 * @param worker the worker
	 */
	void served(WorkerProcess worker) {
		if (this.running && this.successor == worker && (this.predecessor == null || this.predecessor.life.isDead())) {
			advance();
		}
	}

	/**
	 * Takes note that a worker is gone.
	 * @param worker the worker
	 * @return whether it was the step's predecessor, whose slot its successor takes
	 */
	boolean gone(WorkerProcess worker) {
		if (!this.running) {
			return false;
		}
		if (this.successor == worker && !worker.life.hasServed()) {
			String message = "replacement worker " + worker.id + " ended with " + worker.exit + " before it was ready";
			logger.error("Rolling restart stopped: " + message + ". The remaining workers keep serving.");
			this.history.recordRestartFailure(worker.id, worker.exit);
			finish("failed", message);
			return false;
		}
		if (this.predecessor != worker) {
			return false;
		}
		this.predecessor = null;
		if (this.successor == null || this.successor.life.hasServed()) {
			advance();
		}
		return true;
	}

	/**
	 * Ends the restart where it is, as when the cluster stops.
	 */
	void cancel() {
		if (this.running) {
			finish("cancelled", "the cluster is stopping");
		}
	}

	private void advance() {
		Integer next;
		while ((next = this.remaining.poll()) != null) {
			WorkerProcess old = this.workers.get(next);
			if (old == null || old.slot().removed) {
				continue;
			}
			WorkerProcess replacement = (this.replacer != null) ? this.replacer.replace(old, "rolling restart") : null;
			if (replacement != null) {
				this.predecessor = old;
				this.successor = replacement;
				return;
			}
		}
		logger.info("Rolling restart done");
		finish("done", null);
	}

	private void finish(String state, @Nullable String message) {
		ClusterStatus.Restart running = this.status;
		this.running = false;
		this.remaining.clear();
		this.predecessor = null;
		this.successor = null;
		this.replacer = null;
		if (running != null) {
			this.status = new ClusterStatus.Restart(state, running.startedAt(), ClusterHistory.timestamp(Instant.now()),
					running.workers(), message);
		}
	}

}
