package io.bootcluster.master;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

import io.bootcluster.Cluster;
import io.bootcluster.ClusterStatus;
import io.bootcluster.ClusterWorkerEvent;
import io.bootcluster.WorkerDisconnectEvent;
import io.bootcluster.WorkerExit;
import io.bootcluster.WorkerExitEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A worker's end as the master lives it: its channel closing, its process exiting, and what
 * its slot gets then: nothing (it was asked to go and is not replaced), its successor
 * already starting, the next step of a rolling restart, a standby at once, or a new worker
 * after the backoff. {@link WorkerLifecycle} forks and starts workers; this takes over once
 * one is gone. Owned by the supervisor's loop.
 */
final class WorkerExits {

	private static final Log logger = LogFactory.getLog(WorkerExits.class);

	private final Cluster source;

	private final Loop loop;

	private final WorkerLifecycle.Parts parts;

	private final StandbyPool standbys;

	private final DeathSentinels sentinels;

	private final Leadership leadership;

	private final StandbyPool.Forker forker;

	private final Runnable startUnstarted;

	private final Consumer<ClusterWorkerEvent> publisher;

	WorkerExits(Cluster source, Loop loop, WorkerLifecycle.Parts parts, StandbyPool standbys, DeathSentinels sentinels,
			Leadership leadership, StandbyPool.Forker forker, Runnable startUnstarted,
			Consumer<ClusterWorkerEvent> publisher) {
		this.source = source;
		this.loop = loop;
		this.parts = parts;
		this.standbys = standbys;
		this.sentinels = sentinels;
		this.leadership = leadership;
		this.forker = forker;
		this.startUnstarted = startUnstarted;
		this.publisher = publisher;
	}

	void disconnected(WorkerProcess worker) {
		takeOverAtOnce(worker);
		if (!worker.life.isLeaving() && worker.handle.isAlive()) {
			logger.warn("The channel of " + worker + " closed while it was not asked to go: it exits, and is "
					+ "replaced");
		}
		this.parts.router().leave(worker.id, worker.connection());
		worker.life.disconnected();
		this.publisher.accept(new WorkerDisconnectEvent(this.source, worker.snapshot()));
		this.leadership.update();
	}

	void exited(WorkerProcess worker) {
		if (worker.life.isConnected()) {
			// The process ended before its channel's end of stream reached us
			disconnected(worker);
		}
		worker.stopWatchingStartup();
		this.sentinels.forget(worker);
		worker.life.dead();
		WorkerExit exit = WorkerExit.of(worker.handle.exitValue());
		worker.exit = exit;
		this.parts.workers().remove(worker);
		this.parts.history().recordExit(worker.exitReason(), worker.life.isLeaving());
		worker.slot().lastExit = new ClusterStatus.Exit(worker.id, exit.code(), exit.signal(),
				ClusterHistory.timestamp(Instant.now()));
		this.publisher.accept(new WorkerExitEvent(this.source, worker.snapshot()));
		this.leadership.gone(worker);
		Duration uptime = worker.activeTime(this.loop.nanoTime());
		if (worker.life.isLeaving()) {
			logger.info("Worker " + worker.id + " exited with " + exit);
		}
		else {
			logger.warn("Worker " + worker.id + " (pid " + worker.handle.pid() + ") died unexpectedly with " + exit
					+ " after " + uptime.toMillis() + " ms");
		}
		if (this.parts.departures().isStopping()) {
			this.parts.departures().exitedWhileStopping();
			return;
		}
		this.startUnstarted.run();
		this.standbys.settled(worker);
		refill(worker, uptime);
	}

	// What becomes of the slot of a worker that is gone
	private void refill(WorkerProcess worker, Duration uptime) {
		boolean restartPredecessor = this.parts.rollingRestart().gone(worker);
		WorkerProcess predecessor = worker.predecessor;
		WorkerProcess successor = worker.successor;
		if (predecessor != null) {
			// A replacement that never served: its predecessor serves on
			predecessor.successor = null;
			logger.error("Replacement " + worker + " ended with " + worker.exit + " before it was ready; " + predecessor
					+ " keeps serving");
		}
		else if (successor != null) {
			// Died while its successor starts: the successor takes the slot
			successor.predecessor = null;
			if (!worker.life.isLeaving()) {
				this.parts.slots().replaced(worker.slot());
			}
		}
		else if (!restartPredecessor) {
			switch (worker.life.departure()) {
				case REPLACE -> this.forker.fork(worker.slot(), false);
				case REPLACED -> {
					// Its successor serves in its slot
				}
				case REMOVE -> exitIfNothingIsLeft();
				case NONE -> crashed(worker, uptime);
			}
		}
	}

	// A worker that went without being asked: a client may be waiting for its slot, so a
	// standby takes it before anything else is done, when its death sentinel ends, its
	// channel closes or its process ends, whichever the master learns first. The crash is
	// counted at the exit
	void takeOverAtOnce(WorkerProcess worker) {
		if (worker.takenOver || worker.life.isLeaving() || worker.life.isStandby() || !worker.life.hasServed()
				|| worker.predecessor != null || worker.successor != null || this.parts.departures().isStopping()
				|| this.parts.slots().wouldGiveUp(worker.slot(), worker.activeTime(this.loop.nanoTime()))) {
			return;
		}
		worker.takenOver = this.standbys.takeOver(worker.slot());
	}

	private void crashed(WorkerProcess worker, Duration uptime) {
		Slot slot = worker.slot();
		boolean standbySlot = slot == this.standbys.slot();
		Duration delay = this.parts.slots().crashed(slot, uptime, standbySlot);
		if (worker.takenOver) {
			// A standby serves in the slot since the worker's channel closed
			return;
		}
		if (delay == null) {
			exitIfNothingIsLeft();
		}
		else if (standbySlot || !this.standbys.takeOver(slot)) {
			logger.warn("Replacing it in " + delay.toMillis() + " ms (crash " + slot.crashesInRow + " of at most "
					+ this.parts.slots().maxCrashes() + " in a row)");
			this.loop.schedule(() -> this.forker.fork(slot, standbySlot), delay);
		}
	}

	private void exitIfNothingIsLeft() {
		// Standbys left waiting serve nobody: with no member and no slot to fill, the master
		// exits, and its workers with it
		if (this.parts.workers().all().stream().allMatch((worker) -> worker.life.isStandby()) && this.parts.slots().noneLeft()) {
			logger.error("No worker is left and none will be respawned: the master exits");
			this.parts.departures().finish(1);
		}
	}

}
