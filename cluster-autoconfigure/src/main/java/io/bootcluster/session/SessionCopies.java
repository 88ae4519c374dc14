package io.bootcluster.session;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.QuietConnection;
import io.bootcluster.internal.ipc.SessionFrames;
import io.bootcluster.internal.ipc.SessionFrames.SessionChange;
import io.bootcluster.internal.ipc.SessionFrames.StoredSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP sessions this worker holds the latest copies of: those it found at the master
 * last, or created. A request whose session is here needs no answer from the master, and
 * its changes go on the worker's quiet connection, which wakes no thread of the master's.
 * That is what a client on a kept-alive connection meets: one worker, request after
 * request.
 * <p>
 * The master revokes a copy, on the quiet connection, before any other worker can find or
 * change the session, and before its end; every use here first takes what the master
 * revoked. A change sent here is checked against revocations after it is written: one that
 * raced with another worker taking the session is reported so that its request waits for
 * the master to apply it ({@link Action#SESSION_SYNC}) before it answers. A connection
 * that fails drops every copy, and another is tried a while later.
 * <p>
 * Bounded: the copies idle the longest go first. Thread-safe: one lock guards the copies
 * and the connection; it is held for a write and reads that never block, and for a
 * round trip only when the master has not read this worker's changes for a while.
 */
final class SessionCopies {

	private static final Log logger = LogFactory.getLog(SessionCopies.class);

	/** How long requests go without copies after the quiet connection failed. */
	private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

	private final Opener opener;

	private final long maxBytes;

	// In access order: the first is the copy idle the longest
	private final LinkedHashMap<String, Copy> copies = new LinkedHashMap<>(64, 0.75f, true);

	private long bytes;

	private @Nullable QuietConnection connection;

	private long retryAt = System.nanoTime();

	/**
	 * Creates copies that are not there yet.
	 * @param opener opens the quiet connection, when the first copy is kept
	 * @param maxBytes how much the copies may take, as the master counts sessions
	 */
	SessionCopies(Opener opener, long maxBytes) {
		this.opener = opener;
		this.maxBytes = maxBytes;
	}

	/**
	 * This worker's copy of a session, if it holds the latest.
	 * @param id the session's id
	 * @return the copy, or {@code null} when the master must be asked
	 */
	synchronized @Nullable StoredSession find(String id) {
		if (this.connection == null || revocations() == null) {
			return null;
		}
		Copy copy = this.copies.get(id);
		if (copy == null) {
			return null;
		}
		StoredSession session = copy.session;
		long idle = System.currentTimeMillis() - session.lastAccessedTime();
		if (session.maxInactiveSeconds() >= 0 && idle >= session.maxInactiveSeconds() * 1000) {
			remove(id);
			return null;
		}
		return session;
	}

	/**
	 * Keeps the copy of a session the master just said this worker holds. Revocations are
	 * not taken first: one that came after that answer is for this copy.
	 * @param session the session as the master answered it
	 */
	synchronized void kept(StoredSession session) {
		if (connected()) {
			put(session);
		}
	}

	/**
	 * Sends a change quietly, if this worker holds the session's copy (or created the
	 * session).
	 * @param change the change
	 * @param after the session once the change is applied
	 * @param sync makes the master apply what this worker sent quietly, and waits for it
	 * @return what became of the change
	 * @throws IOException if the connection failed while the change was written: it
	 * reached the master or not
	 */
	synchronized Sent send(SessionChange change, StoredSession after, Runnable sync) throws IOException {
		String previousId = (change.previousId() != null) ? change.previousId() : change.id();
		if (!connected() || revocations() == null || (!change.isNew() && !this.copies.containsKey(previousId))) {
			return Sent.NOT_SENT;
		}
		remove(previousId);
		put(after);
		QuietConnection connection = this.connection;
		try {
			boolean whole = connection.send(new Message.Request(0, Action.SESSION_SAVE.wireName(), change.toJson()));
			while (!whole) {
				// The master has not read for a while: it makes room as it applies the rest
				sync.run();
				whole = connection.flush();
			}
			List<String> revoked = revocations();
			if (revoked == null || revoked.contains(previousId) || !this.copies.containsKey(change.id())) {
				remove(change.id());
				return Sent.WRITTEN;
			}
			return Sent.KEPT;
		}
		catch (IOException | RuntimeException ex) {
			lost(ex);
			throw (ex instanceof IOException io) ? io : new IOException(ex.getMessage(), ex);
		}
	}

	/**
	 * Drops this worker's copy of a session, which a request deleted, or changed through
	 * the master.
	 * @param id the session's id
	 */
	synchronized void drop(String id) {
		remove(id);
	}

	// The ids revoked, each copy gone; null when the connection failed, all copies gone
	private @Nullable List<String> revocations() {
		List<Message> messages;
		try {
			messages = this.connection.poll();
		}
		catch (IOException ex) {
			lost(ex);
			return null;
		}
		if (messages.isEmpty()) {
			return List.of();
		}
		List<String> revoked = new ArrayList<>();
		for (Message message : messages) {
			if (message instanceof Message.Request request
					&& Action.of(request.action()) == Action.SESSION_REVOKE) {
				String id = SessionFrames.id(request.body());
				remove(id);
				revoked.add(id);
			}
		}
		return revoked;
	}

	private boolean connected() {
		if (this.connection != null) {
			return true;
		}
		if (System.nanoTime() - this.retryAt < 0) {
			return false;
		}
		try {
			this.connection = this.opener.open();
			return true;
		}
		catch (IOException ex) {
			this.retryAt = System.nanoTime() + RETRY_AFTER.toNanos();
			logger.debug("Sessions are asked of the master every time: " + ex.getMessage());
			return false;
		}
	}

	private void lost(Exception failure) {
		logger.debug("Dropped every copy of a session: " + failure.getMessage());
		if (this.connection != null) {
			this.connection.close();
		}
		this.connection = null;
		this.copies.clear();
		this.bytes = 0;
		this.retryAt = System.nanoTime() + RETRY_AFTER.toNanos();
	}

	private void put(StoredSession session) {
		long size = SessionFrames.size(session.id(), session.attributes());
		remove(session.id());
		this.copies.put(session.id(), new Copy(session, size));
		this.bytes += size;
		Iterator<Copy> idlest = this.copies.values().iterator();
		while (this.bytes > this.maxBytes && idlest.hasNext()) {
			this.bytes -= idlest.next().size;
			idlest.remove();
		}
	}

	private void remove(String id) {
		Copy removed = this.copies.remove(id);
		if (removed != null) {
			this.bytes -= removed.size;
		}
	}

	/**
	 * What became of a change offered to {@link #send}.
	 */
	enum Sent {

		/** Written, and the copy kept: the master applies it before anyone else can see it. */
		KEPT,

		/** Written, but the copy was revoked meanwhile: the request must sync. */
		WRITTEN,

		/** Not written: this worker holds no copy, the change goes the usual way. */
		NOT_SENT

	}

	/**
	 * Opens the quiet connection.
	 */
	@FunctionalInterface
	interface Opener {

		QuietConnection open() throws IOException;

	}

	private record Copy(StoredSession session, long size) {
	}

}
