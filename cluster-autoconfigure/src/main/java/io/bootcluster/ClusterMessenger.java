package io.bootcluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Messages between the master and the workers, for application code. A bean in every
 * worker, and in the master's own context.
 * <p>
 * Payloads are any object Jackson can write: records, maps, strings, numbers. A receiver
 * gets each message as a {@link ClusterMessageEvent}, so {@code @EventListener} methods
 * take them; such a method's return value answers a {@link #request request}. Messages
 * from one sender to one receiver arrive in the order they were sent.
 */
public interface ClusterMessenger {

	/** The master's id, as a destination and as a sender. */
	int MASTER = 0;

	/**
	 * This process's id: {@link #MASTER} in the master, the worker's id in a worker.
	 * @return the id
	 */
	int id();

	/**
	 * The workers on the channel right now, as far as this process knows.
	 * @return their ids
	 */
	List<Integer> workers();

	/**
	 * Sends a message to the master or to one worker.
	 * @param to {@link #MASTER} or a worker's id
	 * @param topic the topic
	 * @param payload the payload
	 * @throws ClusterMessagingException if the destination is not on the channel, the
	 * payload cannot be written, or the channel is closed
	 */
	void send(int to, String topic, Object payload);

	/**
	 * Sends a message to every worker but this one.
	 * @param topic the topic
	 * @param payload the payload
	 * @throws ClusterMessagingException if the payload cannot be written, or the channel is
	 * closed
	 */
	void broadcast(String topic, Object payload);

	/**
	 * Sends a message that expects an answer.
	 * @param <T> the type of the answer
	 * @param to {@link #MASTER} or a worker's id
	 * @param topic the topic
	 * @param payload the payload
	 * @param answerType the type to read the answer as
	 * @param timeout how long to wait for the answer
	 * @return the answer; completes exceptionally with a {@link ClusterMessagingException}
	 * when the receiver is gone, has no listener that answers, or failed, and with a
	 * {@link java.util.concurrent.TimeoutException} when no answer came in time
	 */
	<T> CompletableFuture<T> request(int to, String topic, Object payload, Class<T> answerType, Duration timeout);

	/**
	 * Sends a message that expects an answer, and waits for the answer on the calling
	 * thread. In a worker, the thread reads the answer itself, from a connection of its own:
	 * a round trip then wakes no other thread of the worker, which makes it the faster way
	 * for a thread that would wait anyway. A timeout is noticed within about a second, and a
	 * thread's first ask may also wait for its connection to open.
	 * @param <T> the type of the answer
	 * @param to {@link #MASTER} or a worker's id
	 * @param topic the topic
	 * @param payload the payload
	 * @param answerType the type to read the answer as
	 * @param timeout how long to wait for the answer
	 * @return the answer
	 * @throws ClusterMessagingException when the receiver is not on the channel, is gone,
	 * has no listener that answers, or failed, or when no answer came in time
	 */
	default <T> T ask(int to, String topic, Object payload, Class<T> answerType, Duration timeout) {
		try {
			return request(to, topic, payload, answerType, timeout).join();
		}
		catch (CompletionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof ClusterMessagingException failure) {
				throw new ClusterMessagingException(failure.getMessage(), failure);
			}
			throw new ClusterMessagingException(String.valueOf(cause.getMessage()), cause);
		}
	}

}
