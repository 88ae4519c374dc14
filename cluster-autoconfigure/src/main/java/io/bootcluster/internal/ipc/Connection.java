package io.bootcluster.internal.ipc;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * One end of an open channel between the master and a worker. Sending is safe from any
 * thread; receiving belongs to the single thread that reads the connection.
 * <p>
 * A worker writes straight to the socket: when the master reads slowly, the worker's
 * sending thread waits, which is the backpressure it should feel. The master never waits
 * on a worker: its connections queue frames for a writer thread of their own, up to a
 * budget of bytes, and a frame that does not fit is refused ({@link #trySend} answers
 * {@code false}) rather than held in memory without bound.
 */
public final class Connection implements Closeable {

	/** Bytes a master-side connection may hold for a worker that does not read. */
	static final long QUEUE_BUDGET = 16 * 1024 * 1024;

	private final SocketChannel channel;

	private final FrameCodec codec;

	private final Object writeLock = new Object();

	private final @Nullable BlockingQueue<ByteBuffer> queue;

	private final AtomicLong queuedBytes = new AtomicLong();

	private Connection(SocketChannel channel, FrameCodec codec, boolean queued) {
		this.channel = channel;
		this.codec = codec;
		this.queue = queued ? new LinkedBlockingQueue<>() : null;
	}

	static Connection direct(SocketChannel channel, FrameCodec codec) {
		return new Connection(channel, codec, false);
	}

	static Connection queued(SocketChannel channel, FrameCodec codec) {
		Connection connection = new Connection(channel, codec, true);
		DaemonThreads.start("cluster-ipc-writer", connection::writeQueued);
		return connection;
	}

	/**
	 * Sends a message.
	 * @param message the message
	 * @throws IOException if the channel is closed or fails, the message is larger than a
	 * frame may be, or a worker does not read what it is sent
	 */
	public void send(Message message) throws IOException {
		ByteBuffer frame = this.codec.encode(message);
		BlockingQueue<ByteBuffer> queue = this.queue;
		if (queue == null) {
			synchronized (this.writeLock) {
				this.codec.write(this.channel, frame);
			}
			return;
		}
		if (!this.channel.isOpen()) {
			throw new IOException("The channel is closed");
		}
		if (this.queuedBytes.addAndGet(frame.remaining()) > QUEUE_BUDGET) {
			this.queuedBytes.addAndGet(-frame.remaining());
			throw new IOException("The peer does not read: " + QUEUE_BUDGET + " bytes are waiting for it already");
		}
		queue.add(frame);
	}

	/**
	 * Sends a message, reporting only whether it went out. For messages to a peer that may
	 * already be gone, where a failure needs no more than the channel's own close.
	 * @param message the message
	 * @return whether the message was written, or queued to be
	 */
	public boolean trySend(Message message) {
		try {
			send(message);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private void writeQueued() {
		BlockingQueue<ByteBuffer> queue = this.queue;
		try {
			while (this.channel.isOpen()) {
				ByteBuffer frame = queue.take();
				int size = frame.remaining();
				if (size == 0) {
					continue;
				}
				this.codec.write(this.channel, frame);
				this.queuedBytes.addAndGet(-size);
			}
		}
		catch (IOException ex) {
			close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			close();
		}
	}

	/**
	 * Reads the next message, waiting for it. Belongs to the one thread that reads the
	 * connection at a time.
	 * @return the message, or {@code null} when the peer closed the channel
	 * @throws FrameException if the peer sends a frame that breaks the protocol
	 * @throws IOException if the channel fails
	 */
	public @Nullable Message receive() throws IOException {
		return this.codec.read(this.channel);
	}

	/**
	 * Reads messages until the peer closes the channel. Belongs to one thread.
	 * @param handler what to do with each message, in the order they were sent
	 * @throws FrameException if the peer sends a frame that breaks the protocol
	 * @throws IOException if the channel fails
	 */
	public void receiveEach(Consumer<Message> handler) throws IOException {
		Message message;
		while ((message = receive()) != null) {
			handler.accept(message);
		}
	}

	public boolean isOpen() {
		return this.channel.isOpen();
	}

	@Override
	public void close() {
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// Closing a socket we no longer need: nothing left to do with the failure
		}
		BlockingQueue<ByteBuffer> queue = this.queue;
		if (queue != null) {
			// Wakes the writer, which finds the channel closed
			queue.offer(ByteBuffer.allocate(0));
		}
	}

}
