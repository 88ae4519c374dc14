package io.bootcluster.ipc;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * One end of an open channel between the master and a worker. Sending is safe from any
 * thread; receiving belongs to the single thread that reads the connection.
 */
public final class Connection implements Closeable {

	private final SocketChannel channel;

	private final FrameCodec codec;

	private final Object writeLock = new Object();

	Connection(SocketChannel channel, FrameCodec codec) {
		this.channel = channel;
		this.codec = codec;
	}

	/**
	 * Sends a message.
	 * @param message the message
	 * @throws IOException if the channel is closed or fails
	 */
	public void send(Message message) throws IOException {
		synchronized (this.writeLock) {
			this.codec.write(this.channel, message);
		}
	}

	/**
	 * Sends a message, reporting only whether it went out. For messages to a peer that may
	 * already be gone, where a failure needs no more than the channel's own close.
	 * @param message the message
	 * @return whether the message was written
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

	@Nullable Message receive() throws IOException {
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
	}

}
