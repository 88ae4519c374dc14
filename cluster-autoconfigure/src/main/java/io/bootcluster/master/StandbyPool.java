package io.bootcluster.master;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.master.WorkerLife.Departure;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Workers started ahead of need: their application has started, and waits at a gate
 * before its web server. When a worker dies, a waiting standby takes its slot at once and
 * only has to start listening. Standbys start once the cluster serves, so that they do
 * not slow its start down, and a standby that took over is replaced once it serves (or is
 * gone), so that a new JVM's start does not compete with the takeover for the CPU. Owned
 * by the supervisor's loop.
 */
final class StandbyPool {

	private static final Log logger = LogFactory.getLog(StandbyPool.class);

	/**
	 * Starts a worker.
	 */
	@FunctionalInterface
	interface Forker {

		@Nullable WorkerProcess fork(Slot slot, boolean standby);

	}

	// Where standbys wait; its crash count keeps a broken build from forking standbys
	// without end
	private final Slot slot = new Slot(-1);

	private final int size;

	private final WorkerTable workers;

	private final Forker forker;

	private final StartupWatch startupWatch;

	private final LongSupplier clock;

	// Standbys that took over a slot and have yet to serve: each is owed a new standby
	private final Set<WorkerProcess> owing = Collections.newSetFromMap(new IdentityHashMap<>());

	StandbyPool(int size, WorkerTable workers, Forker forker, StartupWatch startupWatch, LongSupplier clock) {
		this.size = size;
		this.workers = workers;
		this.forker = forker;
		this.startupWatch = startupWatch;
		this.clock = clock;
	}

	Slot slot() {
		return this.slot;
	}

	/**
	 * Starts the standbys, once every worker the cluster wants serves.
	 */
	void fill() {
		if (this.size > 0) {
			// The first takeover then does not wait for the message's serializer
			FrameCodec.prepare(new Message.Activate("", 0));
		}
		for (int i = 0; i < this.size; i++) {
			forkOne();
		}
	}

	void forkOne() {
		this.forker.fork(this.slot, true);
	}

	/**
	 * Hands a slot whose worker died to a waiting standby.
	 * @param slot the slot
	 * @return whether a standby took it over
	 */
	boolean takeOver(Slot slot) {
		WorkerProcess standby = this.workers.all()
			.stream()
			.filter((worker) -> worker.life.isWaiting())
			.findFirst()
			.orElse(null);
		if (standby == null) {
			return false;
		}
		logger.info("Standby worker " + standby.id + " takes over the slot at once");
		this.owing.add(standby);
		this.startupWatch.watch(standby);
		if (!standby.activate(slot, this.clock.getAsLong())) {
			standby.kill("killed");
		}
		return true;
	}

	/**
	 * Takes note that a worker served or is gone: a standby it took over from is owed.
	 * @param worker the worker
	 */
	void settled(WorkerProcess worker) {
		if (this.owing.remove(worker)) {
			forkOne();
		}
	}

	/**
	 * Replaces every standby with a fresh one, which runs what the workers will run.
	 * @param departures how the old ones leave
	 */
	void renew(Departures departures) {
		List<WorkerProcess> standbys = this.workers.all().stream().filter((w) -> w.life.isStandby() && !w.life.isLeaving())
			.toList();
		standbys.forEach((standby) -> departures.retire(standby, Departure.REMOVE, "rolling restart"));
		standbys.forEach((standby) -> forkOne());
	}

}
