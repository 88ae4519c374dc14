package io.bootcluster.master;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.SessionFrames;
import io.bootcluster.internal.ipc.SessionFrames.StoredSession;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * Carries out the workers' requests for the HTTP sessions the master keeps, on the thread
 * of {@link SessionChannels}: a request that reads and saves a session waits on no other
 * part of the master, and the supervisor's loop never sees it. A request whose id is 0
 * wants no answer. The state is the {@link SessionStore}'s, under its lock.
 */
final class SessionRequests {

	private static final Log logger = LogFactory.getLog(SessionRequests.class);

	private final SessionStore store;

	SessionRequests(SessionStore store) {
		this.store = store;
	}

	/**
	 * What a request about sessions asks.
	 * @param request the request
	 * @return the action, or {@code null} when it is no request about sessions
	 */
	static @Nullable Action action(Message.Request request) {
		Action action = Action.of(request.action());
		return (action == Action.SESSION_FIND || action == Action.SESSION_SAVE || action == Action.SESSION_DELETE)
				? action : null;
	}

	/**
	 * Carries a request about sessions out.
	 * @param request the request
	 * @return the answer, or {@code null} when the request wants none (its id is 0)
	 */
	Message.@Nullable Reply answer(Message.Request request) {
		Message.Reply reply;
		try {
			reply = new Message.Reply(request.id(), null, answer(action(request), request.body()));
		}
		catch (IllegalArgumentException | JacksonException ex) {
			if (request.id() == 0) {
				logger.warn("Could not apply a worker's " + request.action() + ": " + ex.getMessage());
			}
			reply = new Message.Reply(request.id(), ex.getMessage(), null);
		}
		return (request.id() != 0) ? reply : null;
	}

	private JsonNode answer(@Nullable Action action, @Nullable JsonNode body) {
		if (action == Action.SESSION_FIND) {
			StoredSession session = this.store.find(SessionFrames.id(body));
			return (session != null) ? session.toJson() : NullNode.getInstance();
		}
		if (action == Action.SESSION_SAVE) {
			if (body == null) {
				throw new IllegalArgumentException("A session's change is missing");
			}
			boolean saved = this.store.save(SessionFrames.SessionChange.fromJson(body));
			return FrameCodec.mapper().createObjectNode().put("saved", saved);
		}
		if (action == Action.SESSION_DELETE) {
			this.store.delete(SessionFrames.id(body));
			return NullNode.getInstance();
		}
		throw new IllegalArgumentException("Not a request about sessions");
	}

}
