package io.bootcluster.messaging;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.bootcluster.ClusterMessageEvent;
import io.bootcluster.ClusterMessenger;
import io.bootcluster.ClusterMessagingException;
import io.bootcluster.internal.ipc.AttachedPool;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.PendingRequests;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.NullNode;

import org.springframework.context.ApplicationEvent;

/**
 * A {@link ClusterMessenger} over the cluster's channel, the same in the master and in a
 * worker: what differs is how a message leaves ({@link Transport}) and where received
 * messages are published.
 * <p>
 * Received messages are published one at a time, in the order they arrived
 * ({@link InboundMessages}).
 */
public final class ChannelMessenger implements ClusterMessenger {

	private static final Log logger = LogFactory.getLog(ChannelMessenger.class);

	// Set while a message is published, for the listeners to say they took it
	private static final ThreadLocal<boolean[]> TAKEN = new ThreadLocal<>();

	/**
	 * Received messages that may wait for their listeners.
	 */
	static final int MAX_QUEUED = 10_000;

	private final int id;

	private final Transport transport;

	private final Consumer<ApplicationEvent> publisher;

	private final PendingRequests pending = new PendingRequests();

	private final InboundMessages inbound;

	private volatile @Nullable String refusal;

	private volatile @Nullable AttachedPool replyRoutes;

	private volatile List<Integer> workers = List.of();

	// Payloads are the application's: its modules and naming apply to them, while the
	// frames around them are the starter's own
	private volatile ObjectMapper payloads = FrameCodec.mapper();

	/**
	 * Creates a messenger.
	 * @param id {@link #MASTER} or this worker's id
	 * @param transport how messages leave this process
	 * @param publisher where received messages are published
	 */
	public ChannelMessenger(int id, Transport transport, Consumer<ApplicationEvent> publisher) {
		this(id, transport, publisher, MAX_QUEUED);
	}

	ChannelMessenger(int id, Transport transport, Consumer<ApplicationEvent> publisher, int maxQueued) {
		this.id = id;
		this.transport = transport;
		this.publisher = publisher;
		// The master's reader for a worker carries only that worker's traffic: it may wait,
		// and the sender with it. A worker's one reader also carries the master's control
		// messages: it never waits, and refuses what does not fit
		this.inbound = new InboundMessages(maxQueued, id == MASTER, this::publish);
	}

	/**
	 * Writes and reads payloads with the application's mapper from now on, so that its
	 * modules and naming apply to them.
	 * @param mapper the mapper
	 */
	public void usePayloadMapper(ObjectMapper mapper) {
		this.payloads = mapper;
	}

	/**
	 * Asks with reply routes from now on: a thread that {@linkplain #ask asks} reads its
	 * answer itself, from a connection the master writes it on.
	 * @param replyRoutes the routes
	 */
	public void useReplyRoutes(AttachedPool replyRoutes) {
		this.replyRoutes = replyRoutes;
	}

	@Override
	public int id() {
		return this.id;
	}

	@Override
	public List<Integer> workers() {
		return this.workers;
	}

	@Override
	public void send(int to, String topic, Object payload) {
		requireReachable(to);
		write(new Message.UserMessage(topic, toJson(topic, payload), this.id, to, 0));
	}

	@Override
	public void broadcast(String topic, Object payload) {
		write(new Message.UserMessage(topic, toJson(topic, payload), this.id, Message.ALL_WORKERS, 0));
	}

	@Override
	public <T> CompletableFuture<T> request(int to, String topic, Object payload, Class<T> answerType,
			Duration timeout) {
		PendingRequests.Waiting waiting;
		try {
			requireReachable(to);
			JsonNode body = toJson(topic, payload);
			waiting = this.pending.register("'" + topic + "' sent to " + describe(to), timeout);
			write(new Message.UserMessage(topic, body, this.id, to, waiting.id()));
		}
		catch (ClusterMessagingException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		return waiting.reply().handle((answer, failure) -> {
			if (failure != null) {
				Throwable cause = (failure instanceof CompletionException) ? failure.getCause() : failure;
				throw new CompletionException((cause instanceof PendingRequests.RequestRejectedException rejected)
						? new ClusterMessagingException(rejected.getMessage()) : cause);
			}
			try {
				return this.payloads.treeToValue(answer, answerType);
			}
			catch (JacksonException ex) {
				throw new CompletionException(new ClusterMessagingException("The answer to '" + topic + "' from "
						+ describe(to) + " is not a " + answerType.getSimpleName() + ": " + ex.getOriginalMessage(),
						ex));
			}
		});
	}

	/**
	 * Asks on a reply route when one is free: the request goes on the main channel, in
	 * order with everything sent before it, naming the route, and this thread reads the
	 * answer from the route itself. Without a free route, as {@link #request} does.
	 */
	@Override
	public <T> T ask(int to, String topic, Object payload, Class<T> answerType, Duration timeout) {
		AttachedPool replyRoutes = this.replyRoutes;
		requireReachable(to);
		JsonNode body = toJson(topic, payload);
		AttachedPool.Lease route = (replyRoutes != null) ? replyRoutes.take() : null;
		if (route == null) {
			return ClusterMessenger.super.ask(to, topic, payload, answerType, timeout);
		}
		boolean reusable = false;
		String what = "'" + topic + "' sent to " + describe(to);
		try {
			long requestId = this.pending.nextId();
			route.begin(timeout);
			try {
				write(new Message.UserMessage(topic, body, this.id, to, requestId, route.id()));
			}
			catch (ClusterMessagingException ex) {
				reusable = route.end();
				throw ex;
			}
			Message answer = route.connection().receive();
			if (!route.end()) {
				throw new ClusterMessagingException("No reply to " + what + " within " + timeout.toMillis() + " ms");
			}
			if (answer == null) {
				throw new ClusterMessagingException("The channel closed before the reply to " + what + " came");
			}
			if (!(answer instanceof Message.UserReply reply) || reply.requestId() != requestId) {
				throw new ClusterMessagingException("The reply to " + what + " came out of turn");
			}
			reusable = true;
			if (reply.error() != null) {
				throw new ClusterMessagingException(reply.error());
			}
			return this.payloads.treeToValue((reply.payload() != null) ? reply.payload() : NullNode.getInstance(),
					answerType);
		}
		catch (JacksonException ex) {
			throw new ClusterMessagingException("The answer to '" + topic + "' from " + describe(to) + " is not a "
					+ answerType.getSimpleName() + ": " + ex.getOriginalMessage(), ex);
		}
		catch (IOException ex) {
			throw new ClusterMessagingException(route.end() ? "The channel failed while " + what + " waited: " + ex
					: "No reply to " + what + " within " + timeout.toMillis() + " ms", ex);
		}
		finally {
			route.giveBack(reusable);
		}
	}

	/**
	 * Publishes a message that arrived for this process, after those that arrived before.
	 * When {@value #MAX_QUEUED} messages, or {@value InboundMessages#MAX_QUEUED_BYTES}
	 * bytes, wait for their listeners already, the master waits for room, and a worker
	 * refuses the message: a request is answered with the reason, and the refusal is
	 * logged.
	 * @param message the message
	 */
	public void deliver(Message.UserMessage message) {
		String refusal = this.refusal;
		if (refusal != null) {
			refuse(message, refusal);
			return;
		}
		if (!this.inbound.deliver(message)) {
			refuse(message, describe(this.id) + " has more messages waiting for its listeners than it may hold");
		}
	}

	/**
	 * Takes no more messages, and answers the requests still waiting for listeners, when
	 * this process leaves the cluster.
	 * @param reason why, for the requesters
	 */
	public void refuseFurther(String reason) {
		this.refusal = reason;
		List<Message.UserMessage> waiting = this.inbound.drain();
		waiting.forEach((message) -> refuse(message, reason));
		if (!waiting.isEmpty()) {
			logger.warn("Dropped " + waiting.size() + " messages no listener had taken yet: " + reason);
		}
	}

	private void refuse(Message.UserMessage message, String reason) {
		logger.warn("Refused '" + message.topic() + "' from " + describe(message.from()) + ": " + reason);
		if (message.requestId() > 0) {
			answer(message, null, reason);
		}
	}

	/**
	 * Completes the request a reply answers.
	 * @param reply the reply
	 */
	public void deliver(Message.UserReply reply) {
		if (!this.pending.complete(reply.requestId(), reply.error(), reply.payload())) {
			logger.debug("Dropped an answer to request " + reply.requestId() + ", which no longer waits");
		}
	}

	/**
	 * Learns which workers are on the channel.
	 * @param workers their ids
	 */
	public void members(List<Integer> workers) {
		this.workers = List.copyOf(workers);
	}

	/**
	 * Fails every request still waiting, when the channel closes.
	 * @param reason why
	 */
	public void closed(String reason) {
		this.pending.failAll(reason);
	}

	private void publish(Message.UserMessage message) {
		BiConsumer<@Nullable Object, @Nullable String> answer = (message.requestId() > 0)
				? (value, error) -> answer(message, value, error) : null;
		ClusterMessageEvent event = new ClusterMessageEvent(this, message.topic(), message.from(), message.payload(),
				answer, this.payloads);
		boolean[] taken = new boolean[1];
		TAKEN.set(taken);
		try {
			this.publisher.accept(event);
		}
		catch (RuntimeException | Error ex) {
			logger.warn("A listener failed on " + event, ex);
			event.fail("A listener in " + describe(this.id) + " failed: " + ex.getMessage());
		}
		finally {
			TAKEN.remove();
		}
		if (event.isRequest() && !event.isHandled()) {
			logger.warn("No listener answered " + event);
			event.fail("No listener in " + describe(this.id) + " answers topic '" + message.topic() + "'");
		}
		else if (!taken[0] && !event.isRequest()) {
			logger.warn("No @EventListener took " + event);
		}
	}

	private void answer(Message.UserMessage request, @Nullable Object value, @Nullable String error) {
		JsonNode payload = null;
		String failure = error;
		if (failure == null) {
			try {
				payload = this.payloads.valueToTree(value);
			}
			catch (JacksonException ex) {
				failure = "The answer to '" + request.topic() + "' cannot be written as JSON: " + ex.getOriginalMessage();
			}
		}
		try {
			this.transport.send(Message.UserReply.to(request, failure, payload));
		}
		catch (IOException ex) {
			logger.warn("Could not answer '" + request.topic() + "' from " + describe(request.from()) + ": "
					+ ex.getMessage());
		}
	}

	private void requireReachable(int to) {
		if (to == this.id) {
			throw new ClusterMessagingException(describe(to) + " cannot send a message to itself");
		}
		if (to != MASTER && !this.workers.contains(to)) {
			throw new ClusterMessagingException(
					describe(to) + " is not on the cluster's channel; workers on it: " + this.workers);
		}
	}

	private void write(Message.UserMessage message) {
		try {
			this.transport.send(message);
		}
		catch (IOException ex) {
			throw new ClusterMessagingException("Could not send '" + message.topic() + "' to " + describe(message.to())
					+ ": " + ex.getMessage(), ex);
		}
	}

	private JsonNode toJson(String topic, Object payload) {
		try {
			return this.payloads.valueToTree(payload);
		}
		catch (JacksonException ex) {
			throw new ClusterMessagingException(
					"Payload for topic '" + topic + "' cannot be written as JSON: " + ex.getOriginalMessage(), ex);
		}
	}

	/**
	 * Notes that a listener took the message being published on this thread.
	 */
	static void taken() {
		boolean[] taken = TAKEN.get();
		if (taken != null) {
			taken[0] = true;
		}
	}

	/**
	 * Names a process for log lines and failure messages.
	 * @param process {@link #MASTER}, a worker's id, or {@link Message#ALL_WORKERS}
	 * @return the name
	 */
	public static String describe(int process) {
		return (process == MASTER) ? "the master"
				: (process == Message.ALL_WORKERS) ? "every worker" : "worker " + process;
	}

	/**
	 * How a messenger's messages leave its process.
	 */
	@FunctionalInterface
	public interface Transport {

		/**
		 * Sends a message on its way.
		 * @param message the message
		 * @throws IOException if it cannot leave: the channel is closed, or the message is
		 * larger than a frame may be
		 */
		void send(Message message) throws IOException;

	}

}
