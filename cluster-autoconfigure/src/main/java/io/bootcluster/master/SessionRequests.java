package io.bootcluster.master;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.SessionFrames;
import io.bootcluster.internal.ipc.SessionFrames.SessionChange;
import io.bootcluster.internal.ipc.SessionFrames.StoredSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Carries out the workers' requests for the HTTP sessions the master keeps, on the thread
 * of {@link SessionChannels}: a request that reads and saves a session waits on no other
 * part of the master, and the supervisor's loop never sees it. A request whose id is 0
 * wants no answer.
 * <p>
 * It also keeps the {@link SessionHolders} right: a worker that finds a session holds
 * its copy; a change from the holder keeps it held; any other change, or the session's
 * end, revokes the copy. The state is the {@link SessionStore}'s, under its lock, and the
 * holders', on the sessions thread.
 */
final class SessionRequests {

	private static final Log logger = LogFactory.getLog(SessionRequests.class);

	private final SessionStore store;

	private final SessionHolders holders;

	SessionRequests(SessionStore store, SessionHolders holders) {
		this.store = store;
		this.holders = holders;
	}

	/**
	 * What a request about sessions asks.
	 * @param request the request
	 * @return the action, or {@code null} when it is no request about sessions
	 */
	static @Nullable Action action(Message.Request request) {
		Action action = Action.of(request.action());
		return (action == Action.SESSION_FIND || action == Action.SESSION_SAVE || action == Action.SESSION_DELETE
				|| action == Action.SESSION_SYNC) ? action : null;
	}

	/**
	 * Carries a request about sessions out.
	 * @param request the request
	 * @param from where it came from
	 * @return the answer, or {@code null} when the request wants none (its id is 0)
	 */
	Message.@Nullable Reply answer(Message.Request request, Origin from) {
		Message.Reply reply;
		try {
			reply = new Message.Reply(request.id(), null, answer(action(request), request.body(), from));
		}
		catch (IllegalArgumentException | JacksonException ex) {
			if (request.id() == 0) {
				logger.warn("Could not apply a worker's " + request.action() + ": " + ex.getMessage());
			}
			reply = new Message.Reply(request.id(), ex.getMessage(), null);
		}
		return (request.id() != 0) ? reply : null;
	}

	private JsonNode answer(@Nullable Action action, @Nullable JsonNode body, Origin from) {
		if (action == Action.SESSION_FIND) {
			String id = SessionFrames.id(body);
			StoredSession session = this.store.find(id);
			if (session == null) {
				return NullNode.getInstance();
			}
			ObjectNode found = (ObjectNode) session.toJson();
			return found.put("held", this.holders.hold(id, from.workerId()));
		}
		if (action == Action.SESSION_SAVE) {
			if (body == null) {
				throw new IllegalArgumentException("A session's change is missing");
			}
			return FrameCodec.mapper().createObjectNode().put("saved", save(SessionChange.fromJson(body), from));
		}
		if (action == Action.SESSION_DELETE) {
			// Its end revokes the copy (the store tells the holders)
			this.store.delete(SessionFrames.id(body));
			return NullNode.getInstance();
		}
		if (action == Action.SESSION_SYNC) {
			// What the worker sent quietly before was applied before this was read
			return NullNode.getInstance();
		}
		throw new IllegalArgumentException("Not a request about sessions");
	}

	private boolean save(SessionChange change, Origin from) {
		String previousId = (change.previousId() != null) ? change.previousId() : change.id();
		SessionConnection holder = this.holders.holder(previousId);
		boolean heldBySender = from.quiet() && holder != null && holder.workerId == from.workerId();
		if (!heldBySender) {
			// Whoever held the copy no longer holds the latest
			this.holders.revoke(previousId);
			this.holders.revoke(change.id());
		}
		boolean saved = this.store.save(change);
		if (from.quiet()) {
			// The sender keeps its copy of what it created or held; of anything else, the
			// copy it kept is revoked
			if (saved && (heldBySender || change.isNew())) {
				this.holders.forget(previousId);
				this.holders.hold(change.id(), from.workerId());
			}
			else {
				this.holders.revoke(change.id(), from.workerId());
			}
		}
		return saved;
	}

	/**
	 * Where a request came from.
	 *
	 * @param workerId the worker that sent it, or 0 when it is not known (on a worker's
	 * main channel)
	 * @param quiet whether it came on the worker's quiet connection, read only when the
	 * master must
	 */
	record Origin(int workerId, boolean quiet) {

		static final Origin UNKNOWN = new Origin(0, false);

	}

}
