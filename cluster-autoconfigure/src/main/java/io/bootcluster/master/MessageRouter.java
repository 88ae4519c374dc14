package io.bootcluster.master;

import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.messaging.ChannelMessenger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * Relays application messages: from a worker to the master's messenger, to another worker,
 * or to every other worker, and the answers back, on the main channel or on the reply route
 * the request named ({@link ReplyRoutes}). It runs on the thread that read the
 * message (a worker's reader, or the master's messenger), so that the supervisor's loop
 * never waits on a worker's socket: the one part of the master that runs off the loop.
 * Its maps are concurrent; the loop adds a worker when it joins and removes it when its
 * channel closes.
 */
final class MessageRouter {

	private static final Log logger = LogFactory.getLog(MessageRouter.class);

	// A request's id in the low bits of the id a request to a worker is forwarded with, its
	// reply route in the bits above (and never in the sign's)
	private static final int ID_BITS = 40;

	private static final long MAX_ID_WITH_ROUTE = (1L << ID_BITS) - 1;

	private static final long MAX_ROUTE_IN_ID = (1L << (63 - ID_BITS)) - 1;

	private final Map<Integer, Connection> routes = new ConcurrentHashMap<>();

	private final Map<Connection, Integer> senders = new ConcurrentHashMap<>();

	private final Set<Connection> waitingForListeners = ConcurrentHashMap.newKeySet();

	private final ChannelMessenger messenger;

	private final ReplyRoutes replyRoutes;

	MessageRouter(Consumer<ApplicationEvent> publisher, FrameCodec codec) {
		this.messenger = new ChannelMessenger(Message.MASTER, this::fromMaster, publisher);
		this.replyRoutes = new ReplyRoutes(codec);
	}

	/**
	 * The master's own messenger, whose messages this router sends on their way.
	 * @return the messenger
	 */
	ChannelMessenger messenger() {
		return this.messenger;
	}

	/**
	 * Takes a worker that joined the channel as a destination and a sender, and tells every
	 * worker on the channel who else is.
	 * @param id the worker's id
	 * @param connection its connection
	 */
	void join(int id, Connection connection) {
		this.senders.put(connection, id);
		this.routes.put(id, connection);
		this.replyRoutes.join(id);
		announceMembers();
	}

	/**
	 * Takes a connection a worker attached to read answers on.
	 * @param id the worker's id
	 * @param route the route's id among the worker's
	 * @param channel the connection
	 */
	void addReplyRoute(int id, long route, SocketChannel channel) {
		this.replyRoutes.add(id, route, channel);
	}

	/**
	 * Forgets a worker whose channel closed.
	 * @param id the worker's id
	 * @param connection its connection
	 */
	void leave(int id, @Nullable Connection connection) {
		if (connection != null) {
			this.senders.remove(connection);
		}
		this.replyRoutes.removeAll(id);
		if (this.routes.remove(id) != null) {
			announceMembers();
		}
	}

	/**
	 * Whether the reader of a worker's connection waits for the master's listeners, which
	 * is not a worker that hangs.
	 * @param connection the worker's connection
	 * @return whether it waits
	 */
	boolean waitsForListeners(Connection connection) {
		return this.waitingForListeners.contains(connection);
	}

	/**
	 * Relays an application message that a worker sent, on the thread that read it.
	 * @param connection the worker's connection
	 * @param message what it sent
	 * @return whether it was an application message, now on its way
	 */
	boolean relay(Connection connection, Message message) {
		if (message instanceof Message.UserMessage userMessage) {
			// The sender is who the connection belongs to, whatever the frame says
			Integer sender = this.senders.get(connection);
			if (sender != null) {
				route(new Message.UserMessage(userMessage.topic(), userMessage.payload(), sender, userMessage.to(),
						userMessage.requestId(), userMessage.via()));
			}
			return true;
		}
		if (message instanceof Message.UserReply reply) {
			route(reply);
			return true;
		}
		return false;
	}

	private void fromMaster(Message message) {
		if (message instanceof Message.UserMessage userMessage) {
			route(userMessage);
		}
		else if (message instanceof Message.UserReply reply) {
			route(reply);
		}
	}

	// To the master's messenger, to one worker, or to every worker but its sender. A message
	// that cannot be delivered is logged, and a request answered with the reason, so that
	// nothing vanishes silently
	private void route(Message.UserMessage message) {
		if (message.to() == Message.MASTER) {
			Connection sender = this.routes.get(message.from());
			if (sender != null) {
				this.waitingForListeners.add(sender);
			}
			try {
				this.messenger.deliver(message);
			}
			finally {
				if (sender != null) {
					this.waitingForListeners.remove(sender);
				}
			}
		}
		else if (message.to() == Message.ALL_WORKERS) {
			this.routes.forEach((id, connection) -> {
				if (id != message.from() && !connection.trySend(message)) {
					logger.warn("Dropped '" + message.topic() + "' to worker " + id + ": it does not read its messages");
				}
			});
		}
		else {
			Connection target = this.routes.get(message.to());
			if (target == null || !target.trySend(carryRouteInId(message))) {
				String reason = "worker " + message.to()
						+ ((target == null) ? " is not on the cluster's channel" : " does not read its messages");
				logger.warn("Dropped '" + message.topic() + "' from " + ChannelMessenger.describe(message.from()) + ": "
						+ reason);
				if (message.requestId() > 0) {
					route(Message.UserReply.to(message, reason, null));
				}
			}
		}
	}

	private void route(Message.UserReply answer) {
		if (answer.to() == Message.MASTER) {
			this.messenger.deliver(answer);
			return;
		}
		Message.UserReply reply = routeFromId(answer);
		if (reply.via() > 0) {
			if (!this.replyRoutes.send(reply)) {
				logger.debug("Dropped an answer for worker " + reply.to() + ": its reply route is gone");
			}
			return;
		}
		Connection target = this.routes.get(reply.to());
		if (target == null || !target.trySend(reply)) {
			logger.debug("Dropped an answer for worker " + reply.to() + ", no longer on the channel");
		}
	}

	// A request to a worker carries its reply route in the high bits of the id it is
	// forwarded with, which the answering worker only echoes: a worker of an older build
	// answers without the route, and the answer still reaches the thread that waits on it
	private static Message.UserMessage carryRouteInId(Message.UserMessage request) {
		if (request.via() <= 0 || request.via() > MAX_ROUTE_IN_ID || request.requestId() <= 0
				|| request.requestId() > MAX_ID_WITH_ROUTE) {
			return request;
		}
		return new Message.UserMessage(request.topic(), request.payload(), request.from(), request.to(),
				(request.via() << ID_BITS) | request.requestId(), request.via());
	}

	private static Message.UserReply routeFromId(Message.UserReply reply) {
		long route = reply.requestId() >>> ID_BITS;
		if (route == 0) {
			return reply;
		}
		return new Message.UserReply(reply.requestId() & MAX_ID_WITH_ROUTE, reply.to(), reply.error(),
				reply.payload(), route);
	}

	// Every worker on the channel learns who else is, so a message to a worker that is
	// not can fail at once, in the sender
	private void announceMembers() {
		List<Integer> members = List.copyOf(this.routes.keySet());
		this.messenger.members(members);
		Message.Members announcement = new Message.Members(members);
		this.routes.values().forEach((connection) -> connection.trySend(announcement));
	}

}
