package io.bootcluster.master;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import io.bootcluster.ClusterStatus;
import io.bootcluster.WorkerState;
import org.jspecify.annotations.Nullable;

/**
 * A rolling restart: the workers it has yet to replace, in order, the step under way (a
 * worker and the successor that replaces it), and the status {@code /actuator/cluster}
 * shows. A step ends once the successor serves and its predecessor is gone; the next then
 * begins. Owned by the supervisor's loop.
 */
final class RollingRestart {

	private final Deque<Integer> remaining;

	private @Nullable WorkerProcess predecessor;

	private @Nullable WorkerProcess successor;

	private final ClusterStatus.Restart running;

	RollingRestart(List<Integer> ids) {
		this.remaining = new ArrayDeque<>(ids);
		this.running = new ClusterStatus.Restart("running", ClusterHistory.timestamp(Instant.now()), null, ids, null);
	}

	/**
	 * The next worker to replace.
	 * @return its id, or {@code null} when every worker is done
	 */
	@Nullable Integer next() {
		return this.remaining.poll();
	}

	/**
	 * Begins a step.
	 * @param worker the worker to replace
	 * @param replacement its successor, starting
	 */
	void replacing(WorkerProcess worker, WorkerProcess replacement) {
		this.predecessor = worker;
		this.successor = replacement;
	}

	/**
	 * Whether a worker is the successor of the step under way.
	 * @param worker the worker
	 * @return whether it is
	 */
	boolean isSuccessor(WorkerProcess worker) {
		return this.successor == worker;
	}

	/**
	 * Whether the step is done once this worker serves: it is the successor, and its
	 * predecessor is gone.
	 * @param worker a worker that now serves
	 * @return whether the next step may begin
	 */
	boolean stepDoneWhenServing(WorkerProcess worker) {
		return this.successor == worker && (this.predecessor == null || this.predecessor.state == WorkerState.DEAD);
	}

	/**
	 * Takes note that a worker exited.
	 * @param worker the worker that exited
	 * @return whether it was the step's predecessor, and its successor already serves: the
	 * next step may begin
	 */
	boolean stepDoneWhenGone(WorkerProcess worker) {
		if (this.predecessor != worker) {
			return false;
		}
		this.predecessor = null;
		return this.successor == null || this.successor.served;
	}

	/**
	 * Whether a worker that exited was this restart's predecessor.
	 * @param worker the worker
	 * @return whether it was
	 */
	boolean isPredecessor(WorkerProcess worker) {
		return this.predecessor == worker;
	}

	/**
	 * The status while it runs.
	 * @return the status
	 */
	ClusterStatus.Restart status() {
		return this.running;
	}

	/**
	 * The status once it ended.
	 * @param state {@code done} or {@code failed}
	 * @param message why it failed, or {@code null}
	 * @return the status
	 */
	ClusterStatus.Restart finished(String state, @Nullable String message) {
		return new ClusterStatus.Restart(state, this.running.startedAt(), ClusterHistory.timestamp(Instant.now()),
				this.running.workers(), message);
	}

}
