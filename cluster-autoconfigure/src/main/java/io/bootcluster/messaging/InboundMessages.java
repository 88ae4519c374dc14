package io.bootcluster.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.ReadLoop;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The messages that arrived for a messenger's listeners, published one at a time, in the
 * order they arrived: a listener that takes its time delays the messages behind it, not
 * the channel. When none waits before it, the thread that read a message publishes it
 * itself, if its connection is read on by another thread should the listeners take long
 * ({@link ReadLoop}): the message then crosses no thread before its listeners run.
 * Otherwise it waits for the {@code cluster-messages} thread, within bounds.
 * <p>
 * The publishing lock makes sure one message is published at a time; {@link #unpublished}
 * that none overtakes a message that arrived before it. The queue and counters are
 * concurrent.
 */
final class InboundMessages {

	private static final Log logger = LogFactory.getLog(InboundMessages.class);

	/** Bytes of payload that may wait for their listeners. */
	static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;

	private static final long WAIT_MILLIS = 10;

	private final BlockingQueue<Queued> queue;

	private final AtomicLong queuedBytes = new AtomicLong();

	private final AtomicInteger unpublished = new AtomicInteger();

	private final ReentrantLock publishing = new ReentrantLock();

	private final boolean waitWhenFull;

	private final Consumer<Message.UserMessage> publisher;

	/**
	 * Starts publishing.
	 * @param maxQueued how many messages may wait for their listeners
	 * @param waitWhenFull whether a thread that delivers waits for room, rather than have
	 * the message refused
	 * @param publisher publishes one message to the listeners
	 */
	InboundMessages(int maxQueued, boolean waitWhenFull, Consumer<Message.UserMessage> publisher) {
		this.queue = new ArrayBlockingQueue<>(maxQueued);
		this.waitWhenFull = waitWhenFull;
		this.publisher = publisher;
		DaemonThreads.start("cluster-messages", this::publishQueued);
	}

	/**
	 * Publishes a message after those that arrived before it, on this thread when it can.
	 * @param message the message
	 * @return {@code false} when the message was refused: too many wait already, and this
	 * does not wait for room
	 */
	boolean deliver(Message.UserMessage message) {
		if (this.unpublished.get() == 0 && ReadLoop.isReading() && this.publishing.tryLock()) {
			try {
				if (this.unpublished.get() == 0 && ReadLoop.stepAside(() -> publishSafely(message))) {
					return true;
				}
			}
			finally {
				this.publishing.unlock();
			}
		}
		Queued queued = new Queued(message, message.payload().toString().length() + 64L);
		while (!tryQueue(queued)) {
			if (!this.waitWhenFull) {
				return false;
			}
			try {
				Thread.sleep(WAIT_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return true;
			}
		}
		return true;
	}

	private boolean tryQueue(Queued queued) {
		if (this.queuedBytes.get() + queued.size() > MAX_QUEUED_BYTES && !this.queue.isEmpty()) {
			return false;
		}
		this.queuedBytes.addAndGet(queued.size());
		this.unpublished.incrementAndGet();
		if (!this.queue.offer(queued)) {
			this.unpublished.decrementAndGet();
			this.queuedBytes.addAndGet(-queued.size());
			return false;
		}
		return true;
	}

	/**
	 * Takes back the messages still waiting for their listeners.
	 * @return them, in arrival order
	 */
	List<Message.UserMessage> drain() {
		List<Queued> waiting = new ArrayList<>();
		this.queue.drainTo(waiting);
		this.unpublished.addAndGet(-waiting.size());
		return waiting.stream().map(Queued::message).toList();
	}

	private void publishQueued() {
		while (true) {
			Queued queued;
			try {
				queued = this.queue.take();
			}
			catch (InterruptedException ex) {
				return;
			}
			this.queuedBytes.addAndGet(-queued.size());
			this.publishing.lock();
			try {
				publishSafely(queued.message());
			}
			finally {
				this.unpublished.decrementAndGet();
				this.publishing.unlock();
			}
		}
	}

	private void publishSafely(Message.UserMessage message) {
		try {
			this.publisher.accept(message);
		}
		catch (Throwable ex) {
			// No listener's failure may stop the messages behind it
			logger.error("Failed to publish " + message.topic() + " from " + ChannelMessenger.describe(message.from()),
					ex);
		}
	}

	private record Queued(Message.UserMessage message, long size) {
	}

}
