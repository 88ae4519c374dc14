package io.bootcluster.master;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.SessionFrames;
import io.bootcluster.internal.ipc.SessionFrames.StoredSession;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * Answers the workers' requests for the HTTP sessions the master keeps, at once, on the
 * thread that read them: a request that reads and saves a session waits on no other part
 * of the master, and the supervisor's loop never sees it. The state is the
 * {@link SessionStore}'s, under its lock.
 */
final class SessionRequests {

	private final SessionStore store;

	SessionRequests(SessionStore store) {
		this.store = store;
	}

	/**
	 * Answers a message if it is a request about sessions.
	 * @param from the worker's connection
	 * @param message what it sent
	 * @return whether it was such a request, now answered
	 */
	boolean handle(Connection from, Message message) {
		if (!(message instanceof Message.Request request)) {
			return false;
		}
		Action action = Action.of(request.action());
		if (action != Action.SESSION_FIND && action != Action.SESSION_SAVE && action != Action.SESSION_DELETE) {
			return false;
		}
		Message.Reply reply;
		try {
			reply = new Message.Reply(request.id(), null, answer(action, request.body()));
		}
		catch (IllegalArgumentException | JacksonException ex) {
			reply = new Message.Reply(request.id(), ex.getMessage(), null);
		}
		from.trySend(reply);
		return true;
	}

	private JsonNode answer(Action action, @Nullable JsonNode body) {
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
		this.store.delete(SessionFrames.id(body));
		return NullNode.getInstance();
	}

}
