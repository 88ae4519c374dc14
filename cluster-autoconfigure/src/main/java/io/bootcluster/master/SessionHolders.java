package io.bootcluster.master;

import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Which worker holds the latest copy of each HTTP session: at most one, the last that
 * found it here or created it, if that worker keeps copies (it has a quiet connection).
 * A worker serves its copy without asking the master until the master revokes it, which
 * happens before anything else could change the session: another worker finding it,
 * changing it, or the session's end.
 * <p>
 * Belongs to the thread of {@link SessionChannels}.
 */
final class SessionHolders {

	private final Map<String, SessionConnection> holders = new HashMap<>();

	private final Map<Integer, SessionConnection> quietByWorker = new HashMap<>();

	void connected(SessionConnection quiet) {
		SessionConnection previous = this.quietByWorker.get(quiet.workerId);
		if (previous != null) {
			closed(previous);
			previous.close();
		}
		this.quietByWorker.put(quiet.workerId, quiet);
	}

	// Its copies go with it: the worker drops them all when its quiet connection ends
	void closed(SessionConnection connection) {
		if (connection.quiet && this.quietByWorker.remove(connection.workerId, connection)) {
			this.holders.values().removeIf((holder) -> holder == connection);
		}
	}

	/**
	 * The worker that holds a session's copy.
	 * @param id the session's id
	 * @return its quiet connection, or {@code null} when no worker holds one
	 */
	@Nullable SessionConnection holder(String id) {
		return this.holders.get(id);
	}

	/**
	 * A worker now holds the latest copy of a session, if it keeps copies.
	 * @param id the session's id
	 * @param workerId the worker, or 0 when it is not known
	 * @return whether it holds it
	 */
	boolean hold(String id, int workerId) {
		SessionConnection quiet = this.quietByWorker.get(workerId);
		if (quiet == null || !quiet.isOpen()) {
			this.holders.remove(id);
			return false;
		}
		this.holders.put(id, quiet);
		return true;
	}

	/**
	 * Forgets a session's holder without telling it: for a session whose holder gave it a
	 * new id, and holds it under that one.
	 * @param id the id the session had
	 */
	void forget(String id) {
		this.holders.remove(id);
	}

	/**
	 * Revokes a session's copy, if a worker holds one.
	 * @param id the session's id
	 * @return the worker's quiet connection, or {@code null} when none held it
	 */
	@Nullable SessionConnection revoke(String id) {
		SessionConnection holder = this.holders.remove(id);
		if (holder != null) {
			holder.revoke(id);
		}
		return holder;
	}

	/**
	 * Revokes a worker's copy of a session, whether the master counts it as held or not:
	 * for a change the worker made to a copy it no longer held.
	 * @param id the session's id
	 * @param workerId the worker
	 */
	void revoke(String id, int workerId) {
		SessionConnection quiet = this.quietByWorker.get(workerId);
		if (quiet != null) {
			this.holders.remove(id, quiet);
			quiet.revoke(id);
		}
	}

	/**
	 * How many sessions workers hold copies of.
	 * @return the number
	 */
	int count() {
		return this.holders.size();
	}

}
