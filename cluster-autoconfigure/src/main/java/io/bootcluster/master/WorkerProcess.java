package io.bootcluster.master;

import java.time.Duration;
import java.time.Instant;

import io.bootcluster.WorkerExit;
import io.bootcluster.WorkerSnapshot;
import io.bootcluster.WorkerState;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.master.WorkerLife.Departure;
import org.jspecify.annotations.Nullable;

/**
 * One worker as the master tracks it: its process, its {@link WorkerLife}, its channel
 * and what its heartbeats last said. Owned by the supervisor's loop.
 */
final class WorkerProcess {

	final int id;

	final WorkerHandle handle;

	final WorkerLife life;

	/** Restarts of the slot when this worker was forked. */
	final long restarts;

	final Instant startedAt = Instant.now();

	private final long startedNanos;

	// When it began to serve its slot: its fork, or a standby's takeover
	private long activeSince;

	/** The worker's slot; a standby's is the standby slot until it takes over one. */
	private Slot slot;

	private @Nullable Connection connection;

	/** When the last heartbeat came, by the loop's clock. */
	long lastHeartbeat;

	/** What the last heartbeat said. */
	Message.@Nullable Heartbeat health;

	/** The worker this one is to replace once it serves. */
	@Nullable WorkerProcess predecessor;

	/** The worker starting to replace this one. */
	@Nullable WorkerProcess successor;

	/** Whether a standby took over the worker's slot as soon as the master learned of its death. */
	boolean takenOver;

	/** Why the master killed the worker, or {@code null} when it did not. */
	@Nullable String killedBecause;

	@Nullable WorkerExit exit;

	/** Watches the worker's start until it serves, or waits at the gate as a standby. */
	Loop.@Nullable Timer startupWatch;

	WorkerProcess(int id, Slot slot, WorkerHandle handle, boolean standby, long nanoTime) {
		this.id = id;
		this.slot = slot;
		this.restarts = slot.restarts;
		this.handle = handle;
		this.life = new WorkerLife(standby ? WorkerLife.Role.STANDBY : WorkerLife.Role.MEMBER);
		this.startedNanos = nanoTime;
		this.activeSince = nanoTime;
		this.lastHeartbeat = nanoTime;
	}

	Slot slot() {
		return this.slot;
	}

	@Nullable Connection connection() {
		return this.connection;
	}

	/**
	 * The worker joined the channel.
	 * @param connection its connection
	 * @param now the loop's clock
	 */
	void online(Connection connection, long now) {
		this.life.online();
		this.connection = connection;
		this.lastHeartbeat = now;
	}

	/**
	 * A waiting standby takes over a slot.
	 * @param slot the slot
	 * @param now the loop's clock
	 * @return whether the worker was told to start its web server
	 */
	boolean activate(Slot slot, long now) {
		this.life.activate();
		this.slot = slot;
		this.activeSince = now;
		return this.connection != null
				&& this.connection.trySend(new Message.Activate("a worker died", slot.index));
	}

	/**
	 * Asks the worker to go: over its channel, or with SIGTERM before it has joined.
	 * @param departure what happens once it is gone
	 * @param reason why, for the worker's log
	 */
	void leave(Departure departure, String reason) {
		this.life.leave(departure);
		if (this.connection == null || !this.connection.trySend(new Message.Disconnect(reason))) {
			// Not on the channel yet: its JVM shuts down on SIGTERM as gracefully as it can
			this.handle.terminate();
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
		this.handle.kill();
	}

	void stopWatchingStartup() {
		if (this.startupWatch != null) {
			this.startupWatch.cancel();
			this.startupWatch = null;
		}
	}

	WorkerState state() {
		return this.life.state();
	}

	WorkerSnapshot snapshot() {
		return new WorkerSnapshot(this.id, this.handle.pid(), state(), this.startedAt,
				this.life.exitedAfterDisconnect(), this.exit, this.life.isStandby() ? -1 : this.slot.index);
	}

	Duration uptime(long now) {
		return Duration.ofNanos(now - this.startedNanos);
	}

	/**
	 * How long the worker has held its slot: since its fork, or since a standby took the
	 * slot over. What a crash and a start are judged by.
	 * @param now the loop's clock
	 * @return the time
	 */
	Duration activeTime(long now) {
		return Duration.ofNanos(now - this.activeSince);
	}

	@Override
	public String toString() {
		return "worker " + this.id + " (pid " + this.handle.pid() + ")";
	}


	/**
	 * Why the worker's process ended, as the cluster's history counts it.
	 * @return killed (with the master's reason), retired, signal or crashed
	 */
	String exitReason() {
		if (this.killedBecause != null) {
			return this.killedBecause;
		}
		if (this.life.isLeaving()) {
			return "retired";
		}
		return (this.exit != null && this.exit.signal() != null) ? "signal" : "crashed";
	}

}
