package io.bootcluster.master;

import java.util.EnumSet;
import java.util.Set;

import io.bootcluster.WorkerState;
import org.jspecify.annotations.Nullable;

/**
 * Where one worker is in its life, as the master sees it: a {@link Phase} it moves through
 * forward only, a {@link Role} in the cluster, and a {@link Departure} once the master has
 * asked it to go. Every change goes through a method that refuses a move the life does
 * not allow, so an illegal sequence of events shows as an exception at the point it
 * happens, not as a worker stuck between two states. The public {@link WorkerState} is
 * derived from it. Owned by the supervisor's loop.
 */
final class WorkerLife {

	/**
	 * How far a worker has come.
	 */
	enum Phase {

		/** The process has been started. */
		FORKED,

		/** The worker's JVM joined the channel. */
		ONLINE,

		/** A standby whose application has started and waits to be activated. */
		WAITING,

		/** Its web server listens on the shared port, and it has not been ready yet. */
		LISTENING,

		/** It has been listening and ready: it has started, and takes its share of traffic. */
		SERVING,

		/** Its channel is closed. */
		DISCONNECTED,

		/** Its process has ended. */
		DEAD

	}

	/**
	 * What a worker is for.
	 */
	enum Role {

		/** Holds a slot: it serves, or is starting to. */
		MEMBER,

		/** Started ahead of need, waiting to take over a slot at once. */
		STANDBY

	}

	/**
	 * What the master does once a worker it asked to go is gone.
	 */
	enum Departure {

		/** Not asked to go: if it dies, it crashed. */
		NONE,

		/** Fork a new worker in its slot once it is gone. */
		REPLACE,

		/** A successor already serves in its slot. */
		REPLACED,

		/** Its slot goes with it: scaling down, a standby no longer wanted, or stopping. */
		REMOVE

	}

	private static final Set<Phase> CONNECTED = EnumSet.of(Phase.ONLINE, Phase.WAITING, Phase.LISTENING,
			Phase.SERVING);

	private Phase phase = Phase.FORKED;

	private Role role;

	private Departure departure = Departure.NONE;

	private boolean ready;

	private boolean served;

	private boolean disconnectedAfterRequest;

	WorkerLife(Role role) {
		this.role = role;
	}

	Phase phase() {
		return this.phase;
	}

	Role role() {
		return this.role;
	}

	Departure departure() {
		return this.departure;
	}

	/**
	 * The state the worker shows to the application and to operators.
	 * @return the public state
	 */
	WorkerState state() {
		return switch (this.phase) {
			case FORKED -> WorkerState.FORKED;
			case ONLINE, WAITING -> WorkerState.ONLINE;
			case LISTENING, SERVING -> WorkerState.LISTENING;
			case DISCONNECTED -> WorkerState.DISCONNECTED;
			case DEAD -> WorkerState.DEAD;
		};
	}

	/**
	 * The worker joined the channel.
	 */
	void online() {
		move(Phase.ONLINE, EnumSet.of(Phase.FORKED));
	}

	/**
	 * A standby's application started, and waits at the gate.
	 */
	void waiting() {
		requireRole(Role.STANDBY, "wait as a standby");
		move(Phase.WAITING, EnumSet.of(Phase.ONLINE));
	}

	/**
	 * A waiting standby takes over a slot: it starts its web server.
	 */
	void activate() {
		requireRole(Role.STANDBY, "be activated");
		if (this.phase != Phase.WAITING || isLeaving()) {
			throw illegal("be activated");
		}
		this.role = Role.MEMBER;
	}

	/**
	 * The worker's web server listens on the shared port.
	 * @return whether it now serves: it has already said that it is ready
	 */
	boolean listening() {
		requireRole(Role.MEMBER, "listen");
		move(Phase.LISTENING, EnumSet.of(Phase.ONLINE, Phase.WAITING));
		return serveIfReady();
	}

	/**
	 * The worker's application says whether it accepts traffic.
	 * @param accepting whether it does
	 * @return whether it serves for the first time now
	 */
	boolean readiness(boolean accepting) {
		if (!isConnected()) {
			throw illegal("report readiness");
		}
		this.ready = accepting;
		return serveIfReady();
	}

	private boolean serveIfReady() {
		if (this.phase != Phase.LISTENING || !this.ready) {
			return false;
		}
		this.phase = Phase.SERVING;
		this.served = true;
		return true;
	}

	/**
	 * The master asks the worker to go.
	 * @param why what happens once it is gone. {@link Departure#REMOVE} (the cluster stops,
	 * or scales down) overrides an earlier request, and {@link Departure#REPLACED} (a
	 * successor serves in its slot already) overrides {@link Departure#REPLACE}
	 */
	void leave(Departure why) {
		boolean overrides = why == Departure.REMOVE
				|| (why == Departure.REPLACED && this.departure == Departure.REPLACE);
		if (why == Departure.NONE || this.phase == Phase.DEAD || (isLeaving() && !overrides)) {
			throw illegal("leave to " + why);
		}
		this.departure = why;
	}

	/**
	 * The worker's channel closed.
	 */
	void disconnected() {
		move(Phase.DISCONNECTED, CONNECTED);
		this.disconnectedAfterRequest = isLeaving();
	}

	/**
	 * The worker's process ended.
	 */
	void dead() {
		if (isConnected()) {
			throw illegal("die before its channel is closed");
		}
		if (this.phase == Phase.FORKED) {
			this.disconnectedAfterRequest = isLeaving();
		}
		move(Phase.DEAD, EnumSet.complementOf(EnumSet.of(Phase.DEAD)));
	}

	boolean isConnected() {
		return CONNECTED.contains(this.phase);
	}

	boolean isLeaving() {
		return this.departure != Departure.NONE;
	}

	boolean isStandby() {
		return this.role == Role.STANDBY;
	}

	/**
	 * Whether the worker is a standby ready to take over.
	 * @return whether it waits at the gate and is not leaving
	 */
	boolean isWaiting() {
		return this.phase == Phase.WAITING && this.role == Role.STANDBY && !isLeaving();
	}

	boolean isDead() {
		return this.phase == Phase.DEAD;
	}

	/**
	 * Whether the worker has ever been listening and ready: it started.
	 * @return whether it has
	 */
	boolean hasServed() {
		return this.served;
	}

	/**
	 * Whether a member is still starting: neither served nor dead.
	 * @return whether it is
	 */
	boolean isStarting() {
		return this.role == Role.MEMBER && !this.served && this.phase != Phase.DEAD;
	}

	/**
	 * Whether the worker's channel closed, or its process ended, after the master asked it
	 * to go, as {@code exitedAfterDisconnect} tells listeners.
	 * @return {@code null} while it is connected
	 */
	@Nullable Boolean exitedAfterDisconnect() {
		return (this.phase == Phase.DISCONNECTED || this.phase == Phase.DEAD) ? this.disconnectedAfterRequest : null;
	}

	private void move(Phase to, Set<Phase> from) {
		if (!from.contains(this.phase)) {
			throw illegal("move to " + to);
		}
		this.phase = to;
	}

	private void requireRole(Role role, String action) {
		if (this.role != role) {
			throw illegal(action);
		}
	}

	private IllegalStateException illegal(String action) {
		return new IllegalStateException("A worker that is " + this.phase + " as " + this.role
				+ ((this.departure != Departure.NONE) ? " leaving to " + this.departure : "") + " cannot " + action);
	}

	@Override
	public String toString() {
		return this.phase + "/" + this.role + "/" + this.departure;
	}

}
