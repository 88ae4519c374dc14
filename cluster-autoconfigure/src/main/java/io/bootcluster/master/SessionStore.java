package io.bootcluster.master;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import io.bootcluster.internal.ipc.SessionFrames;
import io.bootcluster.internal.ipc.SessionFrames.SessionChange;
import io.bootcluster.internal.ipc.SessionFrames.StoredSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * The HTTP sessions the master keeps for every worker. Attributes arrive serialized and
 * stay bytes: the master never loads an application's classes for them.
 * <p>
 * Bounded: when the sessions take more than their budget, the sessions idle the longest
 * go first, and the master says so; a session larger than its own limit is refused.
 * Expired sessions are never returned, and are swept out once a minute as sessions are
 * saved.
 * <p>
 * Thread-safe: every method holds the store's lock. It is called on the thread of
 * {@link SessionChannels}, never on the supervisor's loop.
 */
final class SessionStore {

	private static final Log logger = LogFactory.getLog(SessionStore.class);

	private static final long SWEEP_INTERVAL = Duration.ofMinutes(1).toMillis();

	private static final long EVICTION_LOG_INTERVAL = Duration.ofMinutes(1).toMillis();

	// In access order: the first entry is the session idle the longest
	private final LinkedHashMap<String, Entry> sessions = new LinkedHashMap<>(64, 0.75f, true);

	private final long maxBytes;

	private final long maxSessionBytes;

	private final LongSupplier clock;

	private final Consumer<String> ended;

	private long bytes;

	private long nextSweep;

	private long evictedUnlogged;

	private long lastEvictionLog = Long.MIN_VALUE / 2;

	/**
	 * Creates a store.
	 * @param maxBytes how much all sessions may take
	 * @param maxSessionBytes how much one session may take
	 * @param clock the time, in epoch milliseconds
	 * @param ended told the id of each session that ends here: expired, deleted or
	 * evicted
	 */
	SessionStore(long maxBytes, long maxSessionBytes, LongSupplier clock, Consumer<String> ended) {
		this.maxBytes = maxBytes;
		this.maxSessionBytes = maxSessionBytes;
		this.clock = clock;
		this.ended = ended;
		this.nextSweep = clock.getAsLong() + SWEEP_INTERVAL;
	}

	/**
	 * Finds a session and marks it used now.
	 * @param id the session's id
	 * @return the session, or {@code null} when there is none, or it expired
	 */
	synchronized @Nullable StoredSession find(String id) {
		Entry entry = this.sessions.get(id);
		if (entry == null) {
			return null;
		}
		long now = this.clock.getAsLong();
		if (entry.isExpired(now)) {
			end(id);
			return null;
		}
		entry.lastAccessedTime = now;
		return new StoredSession(id, entry.creationTime, now, entry.maxInactiveSeconds, Map.copyOf(entry.attributes));
	}

	/**
	 * Applies what a worker changed in a session.
	 * @param change the change
	 * @return whether it was applied: a change to a session that is no longer here (it
	 * expired, was deleted by another worker or evicted) is not, and does not bring it back
	 * @throws SessionTooLargeException if the session would take more than one may
	 */
	synchronized boolean save(SessionChange change) {
		long now = this.clock.getAsLong();
		String lookup = (change.previousId() != null) ? change.previousId() : change.id();
		Entry entry = this.sessions.get(lookup);
		if (entry != null && entry.isExpired(now)) {
			end(lookup);
			entry = null;
		}
		if (entry == null && !change.isNew()) {
			return false;
		}
		Entry updated = (entry != null && !change.isNew()) ? entry.copy() : new Entry(change.creationTime());
		change.removed().forEach(updated.attributes::remove);
		updated.attributes.putAll(change.set());
		updated.lastAccessedTime = Math.max(change.lastAccessedTime(), updated.lastAccessedTime);
		updated.maxInactiveSeconds = change.maxInactiveSeconds();
		updated.size = SessionFrames.size(change.id(), updated.attributes);
		if (updated.size > this.maxSessionBytes) {
			throw new SessionTooLargeException("Session takes " + updated.size + " bytes, more than "
					+ "cluster.sessions.max-session-size (" + DataSize.ofBytes(this.maxSessionBytes).toKilobytes()
					+ " KB) allows: keep less in the session, or raise the limit");
		}
		if (entry != null) {
			remove(lookup);
		}
		// Whatever had the new id (an expired session, say) gives its bytes back
		remove(change.id());
		this.sessions.put(change.id(), updated);
		this.bytes += updated.size;
		evictIdlest(now);
		sweepIfDue(now);
		return true;
	}

	/**
	 * Deletes a session, if it is here.
	 * @param id the session's id
	 */
	synchronized void delete(String id) {
		end(id);
	}

	/**
	 * How many sessions the store holds, expired ones not yet swept out included.
	 * @return the number
	 */
	synchronized int count() {
		return this.sessions.size();
	}

	/**
	 * How much the sessions take, by the store's count.
	 * @return the bytes
	 */
	synchronized long bytes() {
		return this.bytes;
	}

	private void end(String id) {
		if (this.sessions.containsKey(id)) {
			remove(id);
			this.ended.accept(id);
		}
	}

	private void remove(String id) {
		Entry removed = this.sessions.remove(id);
		if (removed != null) {
			this.bytes -= removed.size;
		}
	}

	// The idlest first, never the session just saved: it is the last in access order. With a
	// budget smaller than one session, that session alone stays
	private void evictIdlest(long now) {
		long idlest = 0;
		Iterator<Map.Entry<String, Entry>> entries = this.sessions.entrySet().iterator();
		List<String> ended = new ArrayList<>();
		while (this.bytes > this.maxBytes && this.sessions.size() > 1) {
			Map.Entry<String, Entry> entry = entries.next();
			idlest = Math.max(idlest, now - entry.getValue().lastAccessedTime);
			this.bytes -= entry.getValue().size;
			entries.remove();
			ended.add(entry.getKey());
		}
		ended.forEach(this.ended);
		long evicted = ended.size();
		if (evicted == 0) {
			return;
		}
		this.evictedUnlogged += evicted;
		if (now - this.lastEvictionLog >= EVICTION_LOG_INTERVAL) {
			logger.warn("Evicted " + this.evictedUnlogged + " HTTP session(s), the idlest unused for "
					+ Duration.ofMillis(idlest).toSeconds() + " s: the sessions took more than cluster.sessions.max-bytes ("
					+ DataSize.ofBytes(this.maxBytes).toMegabytes() + " MB). Raise it, or keep less in sessions");
			this.evictedUnlogged = 0;
			this.lastEvictionLog = now;
		}
	}

	private void sweepIfDue(long now) {
		if (now < this.nextSweep) {
			return;
		}
		this.nextSweep = now + SWEEP_INTERVAL;
		Iterator<Map.Entry<String, Entry>> entries = this.sessions.entrySet().iterator();
		List<String> ended = new ArrayList<>();
		while (entries.hasNext()) {
			Map.Entry<String, Entry> entry = entries.next();
			if (entry.getValue().isExpired(now)) {
				this.bytes -= entry.getValue().size;
				entries.remove();
				ended.add(entry.getKey());
			}
		}
		ended.forEach(this.ended);
	}

	private static final class Entry {

		final long creationTime;

		final Map<String, byte[]> attributes = new HashMap<>();

		long lastAccessedTime;

		long maxInactiveSeconds;

		long size;

		Entry(long creationTime) {
			this.creationTime = creationTime;
			this.lastAccessedTime = creationTime;
		}

		Entry copy() {
			Entry copy = new Entry(this.creationTime);
			copy.attributes.putAll(this.attributes);
			copy.lastAccessedTime = this.lastAccessedTime;
			copy.maxInactiveSeconds = this.maxInactiveSeconds;
			return copy;
		}

		boolean isExpired(long now) {
			return this.maxInactiveSeconds >= 0 && now - this.lastAccessedTime >= this.maxInactiveSeconds * 1000;
		}

	}

	/**
	 * A session would take more than one may.
	 */
	static final class SessionTooLargeException extends IllegalArgumentException {

		SessionTooLargeException(String message) {
			super(message);
		}

	}

}
