package io.bootcluster;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.ApplicationEvent;

/**
 * A message from another process of the cluster, published where it arrives: in a
 * worker's application context, or in the master (where it is Node's {@code message}
 * event). A request is answered by the first listener that returns a value, or calls
 * {@link #reply(Object)}.
 */
public class ClusterMessageEvent extends ApplicationEvent {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private final String topic;

	private final int sender;

	private final JsonNode payload;

	private final @Nullable BiConsumer<@Nullable Object, @Nullable String> answer;

	private final ObjectMapper mapper;

	private final AtomicBoolean answered = new AtomicBoolean();

	private volatile boolean answerPromised;

	/**
	 * Creates an event.
	 * @param source the messenger that received the message
	 * @param topic the topic
	 * @param sender {@link ClusterMessenger#MASTER} or the sending worker's id
	 * @param payload the payload
	 * @param answer sends the answer (a value, or an error) when the message is a request;
	 * {@code null} otherwise
	 */
	public ClusterMessageEvent(Object source, String topic, int sender, JsonNode payload,
			@Nullable BiConsumer<@Nullable Object, @Nullable String> answer) {
		this(source, topic, sender, payload, answer, MAPPER);
	}

	/**
	 * Creates an event whose payload is read with a given mapper.
	 * @param source the messenger that received the message
	 * @param topic the topic
	 * @param sender {@link ClusterMessenger#MASTER} or the sending worker's id
	 * @param payload the payload
	 * @param answer sends the answer (a value, or an error) when the message is a request;
	 * {@code null} otherwise
	 * @param mapper reads the payload as a type: the application's, so that its modules and
	 * naming apply
	 */
	public ClusterMessageEvent(Object source, String topic, int sender, JsonNode payload,
			@Nullable BiConsumer<@Nullable Object, @Nullable String> answer, ObjectMapper mapper) {
		super(source);
		this.mapper = mapper;
		this.topic = topic;
		this.sender = sender;
		this.payload = payload;
		this.answer = answer;
	}

	public String getTopic() {
		return this.topic;
	}

	/**
	 * Who sent the message.
	 * @return {@link ClusterMessenger#MASTER} or the sending worker's id
	 */
	public int getSender() {
		return this.sender;
	}

	/**
	 * The payload as JSON.
	 * @return the payload
	 */
	public JsonNode getPayload() {
		return this.payload;
	}

	/**
	 * The payload, read as a type.
	 * @param <T> the type
	 * @param type the type
	 * @return the payload
	 * @throws ClusterMessagingException if the payload is not of that shape
	 */
	public <T> T getPayload(Class<T> type) {
		try {
			return this.mapper.treeToValue(this.payload, type);
		}
		catch (JacksonException ex) {
			throw new ClusterMessagingException("Payload of a message on topic '" + this.topic + "' from "
					+ describe(this.sender) + " is not a " + type.getSimpleName() + ": " + ex.getOriginalMessage(), ex);
		}
	}

	/**
	 * Whether the sender waits for an answer.
	 * @return whether this is a request
	 */
	public boolean isRequest() {
		return this.answer != null;
	}

	/**
	 * Whether the request has been answered.
	 * @return whether an answer went out
	 */
	public boolean isAnswered() {
		return this.answered.get();
	}

	/**
	 * Declares that the answer will come later, from another thread: the request is then
	 * not failed as unanswered once its listeners return.
	 */
	public void willReply() {
		this.answerPromised = true;
	}

	/**
	 * Whether the request has an answer, or one is promised.
	 * @return whether the request is taken care of
	 */
	public boolean isHandled() {
		return this.answered.get() || this.answerPromised;
	}

	/**
	 * Answers the request. Only the first answer counts.
	 * @param value the answer: any object Jackson can write
	 * @return whether this was the first answer
	 */
	public boolean reply(@Nullable Object value) {
		return answer(value, null);
	}

	/**
	 * Answers the request with a failure.
	 * @param error why
	 * @return whether this was the first answer
	 */
	public boolean fail(String error) {
		return answer(null, error);
	}

	private boolean answer(@Nullable Object value, @Nullable String error) {
		if (this.answer == null || !this.answered.compareAndSet(false, true)) {
			return false;
		}
		this.answer.accept(value, error);
		return true;
	}

	static String describe(int process) {
		return (process == ClusterMessenger.MASTER) ? "the master" : "worker " + process;
	}

	@Override
	public String toString() {
		return "ClusterMessageEvent[topic=" + this.topic + ", from=" + describe(this.sender) + "]";
	}

}
