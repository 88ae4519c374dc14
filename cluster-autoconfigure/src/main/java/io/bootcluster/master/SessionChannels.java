package io.bootcluster.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.FrameException;
import io.bootcluster.internal.ipc.FrameInput;
import io.bootcluster.internal.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Every request about HTTP sessions, answered by one thread ({@code cluster-sessions}):
 * those on the connections workers attach for them, read with one selector, and those on
 * the workers' main channels, handed over by their readers.
 * <p>
 * One thread is what lets a worker save a session without waiting: a save it wrote before
 * its response left is applied before any find that the client's next request makes, on
 * whichever worker. That find's bytes arrived after the save's; the thread reads until the
 * selector finds nothing more to read, then applies every save and delete it read before
 * it answers any find.
 * <p>
 * Every field belongs to that thread, but for the queues of channels and requests handed
 * over, which are concurrent, and the selector, opened once under the lock.
 */
final class SessionChannels {

	private static final Log logger = LogFactory.getLog(SessionChannels.class);

	private final SessionRequests requests;

	private final FrameCodec codec;

	private final Queue<Attached> handedOver = new ConcurrentLinkedQueue<>();

	private final Queue<Received> submitted = new ConcurrentLinkedQueue<>();

	private @Nullable Selector selector;

	SessionChannels(SessionRequests requests, FrameCodec codec) {
		this.requests = requests;
		this.codec = codec;
	}

	/**
	 * Takes over a worker's welcomed connection.
	 * @param channel the connection's channel
	 * @param workerId the worker's id, for the log
	 */
	void add(SocketChannel channel, int workerId) {
		try {
			channel.configureBlocking(false);
			this.handedOver.add(new Attached(channel, workerId));
			selector().wakeup();
		}
		catch (IOException ex) {
			logger.warn("Could not take worker " + workerId + "'s connection for sessions: " + ex.getMessage());
			close(channel);
		}
	}

	/**
	 * Takes a request about sessions that came on a worker's main channel: it is answered
	 * on this thread too, in the same order as the others.
	 * @param from the worker's main channel
	 * @param message what it sent
	 * @return whether it was a request about sessions, now taken
	 */
	boolean submit(Connection from, Message message) {
		if (!(message instanceof Message.Request request) || SessionRequests.action(request) == null) {
			return false;
		}
		try {
			this.submitted.add(new Received(request, from::trySend, "worker's main channel"));
			selector().wakeup();
		}
		catch (IOException ex) {
			logger.warn("Could not answer a request about sessions: " + ex.getMessage());
		}
		return true;
	}

	// Opened, and its thread started, when the first worker asks
	private synchronized Selector selector() throws IOException {
		if (this.selector == null) {
			Selector selector = Selector.open();
			DaemonThreads.start("cluster-sessions", () -> serve(selector));
			this.selector = selector;
		}
		return this.selector;
	}

	private void serve(Selector selector) {
		try {
			while (selector.isOpen()) {
				selector.select();
				List<Received> batch = new ArrayList<>();
				// Until nothing more is there to read: every save sent before a find read here
				// is then read too
				do {
					register(selector);
					readSelected(selector, batch);
					Received received;
					while ((received = this.submitted.poll()) != null) {
						batch.add(received);
					}
				}
				while (selector.selectNow() > 0 || !this.handedOver.isEmpty() || !this.submitted.isEmpty());
				answer(batch);
			}
		}
		catch (IOException | ClosedSelectorException ex) {
			// The selector itself failed: nothing here could serve a session again
			logger.error("Sessions are no longer served: " + ex.getMessage());
		}
	}

	private void register(Selector selector) {
		Attached attached;
		while ((attached = this.handedOver.poll()) != null) {
			try {
				attached.key = attached.channel.register(selector, SelectionKey.OP_READ, attached);
			}
			catch (IOException ex) {
				// Closed since it was handed over: its worker is gone
				attached.close();
			}
		}
	}

	private void readSelected(Selector selector, List<Received> batch) {
		for (SelectionKey key : selector.selectedKeys()) {
			Attached attached = (Attached) key.attachment();
			try {
				if (key.isReadable()) {
					attached.read(batch);
				}
				if (key.isValid() && key.isWritable()) {
					attached.flush();
				}
			}
			catch (FrameException ex) {
				logger.warn("Closing worker " + attached.workerId + "'s connection for sessions: " + ex.getMessage());
				attached.close();
			}
			catch (IOException ex) {
				attached.close();
			}
			catch (RuntimeException ex) {
				logger.error("Closing worker " + attached.workerId + "'s connection for sessions", ex);
				attached.close();
			}
		}
		selector.selectedKeys().clear();
	}

	// Changes first, in the order read; then everything else
	private void answer(List<Received> batch) {
		for (Received received : batch) {
			if (received.changes()) {
				received.answer(this.requests);
			}
		}
		for (Received received : batch) {
			if (!received.changes()) {
				received.answer(this.requests);
			}
		}
	}

	private static void close(SocketChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// Closing: nothing left to do
		}
	}

	/**
	 * A request read, with where its answer goes.
	 */
	private record Received(Message.Request request, Consumer<Message.Reply> replyTo, String from) {

		boolean changes() {
			return SessionRequests.action(this.request) != Action.SESSION_FIND;
		}

		// One request that fails, however, fails alone: the thread goes on serving the others
		void answer(SessionRequests requests) {
			try {
				Message.Reply reply = requests.answer(this.request);
				if (reply != null) {
					this.replyTo.accept(reply);
				}
			}
			catch (RuntimeException ex) {
				logger.error("Could not answer a request about sessions from " + this.from, ex);
			}
		}

	}

	/**
	 * One worker's connection: the bytes of frames not yet complete, and of answers not
	 * yet written.
	 */
	private final class Attached {

		final SocketChannel channel;

		final int workerId;

		final ArrayDeque<ByteBuffer> unwritten = new ArrayDeque<>();

		@Nullable SelectionKey key;

		final FrameInput input;

		Attached(SocketChannel channel, int workerId) {
			this.channel = channel;
			this.workerId = workerId;
			this.input = new FrameInput(SessionChannels.this.codec);
		}

		// All there is to read now, and every whole frame in it
		void read(List<Received> batch) throws IOException {
			while (true) {
				int read = this.input.readFrom(this.channel);
				Message message;
				while ((message = this.input.next()) != null) {
					if (!(message instanceof Message.Request request) || SessionRequests.action(request) == null) {
						throw new FrameException("Not a request about sessions: " + message.getClass().getSimpleName());
					}
					batch.add(new Received(request, this::send, "worker " + this.workerId));
				}
				if (read < 0) {
					close();
					return;
				}
				if (read == 0) {
					return;
				}
			}
		}

		void send(Message.Reply message) {
			if (!this.channel.isOpen()) {
				return;
			}
			try {
				this.unwritten.add(SessionChannels.this.codec.encode(message));
				flush();
			}
			catch (IOException ex) {
				close();
			}
		}

		// As much as the socket takes now; the rest when it is writable again
		void flush() throws IOException {
			while (!this.unwritten.isEmpty()) {
				ByteBuffer frame = this.unwritten.peek();
				this.channel.write(frame);
				if (frame.hasRemaining()) {
					this.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
					return;
				}
				this.unwritten.poll();
			}
			this.key.interestOps(SelectionKey.OP_READ);
		}

		void close() {
			if (this.key != null) {
				this.key.cancel();
			}
			SessionChannels.close(this.channel);
		}

	}

}
