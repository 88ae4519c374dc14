package io.bootcluster.master;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import io.bootcluster.WorkerExit;
import io.bootcluster.WorkerSnapshot;
import io.bootcluster.WorkerState;
import io.bootcluster.ipc.Connection;
import org.jspecify.annotations.Nullable;

/**
 * One worker process as the master tracks it. Only the supervisor's thread touches its
 * mutable state.
 */
final class WorkerProcess {

	final int id;

	/** The worker's slot; a standby's is the standby slot until it takes over one. */
	Slot slot;

	/** Started as a standby, and not activated yet. */
	boolean standby;

	/** A standby whose application waits at the gate, ready to take over. */
	boolean standbyReady;

	/**
	 * A standby that took over: the next standby is forked once it serves, or is gone, so
	 * that a new JVM's start does not compete with the takeover for the CPU.
	 */
	boolean standbyOwed;

	/** Restarts of the slot when this worker was forked. */
	final long restarts;

	final Process process;

	final Instant startedAt = Instant.now();

	private final long startedNanos = System.nanoTime();

	private final List<Thread> outputPumps;

	WorkerState state = WorkerState.FORKED;

	@Nullable Connection connection;

	boolean disconnectRequested;

	/** Whether the worker ever reached listening. */
	boolean listened;

	/** Whether the worker's application accepts traffic. */
	boolean ready;

	/** Whether the worker has been listening and ready: it has started. */
	boolean served;

	/** When the last heartbeat came, by {@link System#nanoTime()}. */
	long lastHeartbeat;

	/** The worker this one is to replace once it is ready. */
	@Nullable WorkerProcess predecessor;

	/** The worker starting to replace this one. */
	@Nullable WorkerProcess successor;

	/** What happens once the worker is gone, when the master asked it to go. */
	Retirement retirement = Retirement.NONE;

	/** Why the master killed the worker, or {@code null} when it did not. */
	@Nullable String killedBecause;

	long heapUsed;

	long heapMax;

	double cpu = -1;

	long requests;

	@Nullable Boolean exitedAfterDisconnect;

	@Nullable WorkerExit exit;

	@Nullable ScheduledFuture<?> startupDeadline;

	WorkerProcess(int id, Slot slot, Process process, WorkerOutput output) {
		this.id = id;
		this.slot = slot;
		this.restarts = slot.restarts;
		this.process = process;
		this.outputPumps = List.of(OutputPump.start(process.getInputStream(), System.out, output, id, false),
				OutputPump.start(process.getErrorStream(), System.err, output, id, true));
	}

	WorkerSnapshot snapshot() {
		return new WorkerSnapshot(this.id, this.process.pid(), this.state, this.startedAt, this.exitedAfterDisconnect,
				this.exit);
	}

	Duration uptime() {
		return Duration.ofNanos(System.nanoTime() - this.startedNanos);
	}

	boolean isConnected() {
		return this.state == WorkerState.ONLINE || this.state == WorkerState.LISTENING;
	}

	/**
	 * Waits briefly for the worker's last output lines, so they appear before its exit is
	 * reported.
	 */
	void drainOutput() {
		for (Thread pump : this.outputPumps) {
			try {
				pump.join(1000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/**
	 * Kills the worker and anything it started.
	 * @param reason why, for its exit's record
	 */
	void kill(String reason) {
		if (this.killedBecause == null) {
			this.killedBecause = reason;
		}
		this.process.descendants().forEach(ProcessHandle::destroyForcibly);
		this.process.destroyForcibly();
	}

	boolean isRetiring() {
		return this.retirement != Retirement.NONE;
	}

	@Override
	public String toString() {
		return "worker " + this.id + " (pid " + this.process.pid() + ")";
	}

	/**
	 * What the master does once a worker it asked to go is gone.
	 */
	enum Retirement {

		/** Not asked to go: if it dies, it crashed. */
		NONE,

		/** Fork a new worker in its slot once it is gone. */
		REPLACE,

		/** A successor already serves in its slot. */
		REPLACED,

		/** Its slot goes with it: scaling down or stopping. */
		REMOVE

	}

}
