package io.bootcluster.internal.ipc;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * What one process of the cluster asks another to do, with a {@link Message.Request}: a
 * worker (or the master's own endpoint) asks the master for the cluster's status or an
 * operator's command, or for an HTTP session it keeps; the master asks each worker for its
 * meters. On the wire, an action is its name in lower case.
 */
public enum Action {

	/** The cluster as the master sees it. */
	STATUS,

	/** A rolling restart of every worker. */
	RESTART,

	/** Grow or shrink the cluster: {@code {"workers": n}}. */
	SCALE,

	/** Stop one worker gracefully: {@code {"worker": id}}. */
	STOP,

	/** Every other worker's meters, asked of the master; a worker's own, asked of it. */
	METRICS,

	/** An HTTP session the master keeps, touched as used: {@code {"id": id}}. */
	SESSION_FIND,

	/** Changes to an HTTP session: a {@code SessionFrames.SessionChange}. */
	SESSION_SAVE,

	/** An HTTP session's end: {@code {"id": id}}. */
	SESSION_DELETE,

	/**
	 * Answered once the master has applied every change the worker sent before it on its
	 * quiet connection.
	 */
	SESSION_SYNC,

	/**
	 * From the master, on a worker's quiet connection: the worker's copy of an HTTP session
	 * may no longer be the latest, {@code {"id": id}}.
	 */
	SESSION_REVOKE,

	/**
	 * From the master to a serving worker: start a death sentinel that writes to the
	 * master's FIFO, {@code {"fifo": path}}.
	 */
	WATCH_DEATH;

	/**
	 * The action's name on the wire and in an operator's request.
	 * @return the name, in lower case
	 */
	public String wireName() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * The action of a name, as read from the wire or an operator's request.
	 * @param name the name
	 * @return the action, or {@code null} when no action has that name
	 */
	public static @Nullable Action of(@Nullable String name) {
		for (Action action : values()) {
			if (action.wireName().equals(name)) {
				return action;
			}
		}
		return null;
	}

	/**
	 * The operator's command of a name, as posted to {@code /actuator/cluster}.
	 * @param name the name
	 * @return {@link #RESTART} or {@link #SCALE}
	 * @throws IllegalArgumentException for any other name, saying what is accepted
	 */
	public static Action command(@Nullable String name) {
		Action action = of(name);
		if (action != RESTART && action != SCALE) {
			throw new IllegalArgumentException("Unknown action '" + name + "': expected 'restart' or 'scale'");
		}
		return action;
	}

}
