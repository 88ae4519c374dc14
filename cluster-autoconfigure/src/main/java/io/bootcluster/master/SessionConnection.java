package io.bootcluster.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.function.Consumer;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.FrameException;
import io.bootcluster.internal.ipc.FrameInput;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.SessionFrames;
import org.jspecify.annotations.Nullable;

/**
 * A connection a worker attached for its HTTP sessions, as the master's sessions thread
 * serves it: the bytes of frames not yet whole, and of answers not yet written. A
 * {@linkplain #quiet quiet} connection carries the worker's changes to the sessions it
 * holds copies of one way, and the master's revocations of those copies the other.
 * <p>
 * Belongs to the thread of {@link SessionChannels}.
 */
final class SessionConnection {

	final SocketChannel channel;

	final int workerId;

	final boolean quiet;

	private final FrameCodec codec;

	private final FrameInput input;

	private final ArrayDeque<ByteBuffer> unwritten = new ArrayDeque<>();

	@Nullable SelectionKey key;

	SessionConnection(SocketChannel channel, int workerId, boolean quiet, FrameCodec codec) {
		this.channel = channel;
		this.workerId = workerId;
		this.quiet = quiet;
		this.codec = codec;
		this.input = new FrameInput(codec);
	}

	/**
	 * Reads all there is to read now, and hands over every whole request in it.
	 * @param requests takes each request
	 * @throws FrameException if something else than a request about sessions arrives
	 * @throws IOException if the connection fails
	 */
	void read(Consumer<Message.Request> requests) throws IOException {
		while (true) {
			int read = this.input.readFrom(this.channel);
			Message message;
			while ((message = this.input.next()) != null) {
				Action action = (message instanceof Message.Request request) ? SessionRequests.action(request) : null;
				// A quiet connection carries changes to sessions and nothing else
				if (action == null || (this.quiet && action != Action.SESSION_SAVE)) {
					throw new FrameException("Not a request about sessions: " + message.getClass().getSimpleName());
				}
				requests.accept((Message.Request) message);
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
			this.unwritten.add(this.codec.encode(message));
			flush();
		}
		catch (IOException ex) {
			close();
		}
	}

	/**
	 * Tells a quiet connection's worker that its copy of a session may no longer be the
	 * latest. It is written at once or the connection closes, which revokes every copy.
	 * @param id the session's id
	 */
	void revoke(String id) {
		if (!this.channel.isOpen()) {
			return;
		}
		try {
			ByteBuffer frame = this.codec
				.encode(new Message.Request(0, Action.SESSION_REVOKE.wireName(), SessionFrames.id(id)));
			// A worker that does not read its revocations loses all its copies
			if (!this.codec.writeAvailable(this.channel, frame)) {
				close();
			}
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

	boolean isOpen() {
		return this.channel.isOpen();
	}

	void close() {
		if (this.key != null) {
			this.key.cancel();
		}
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// Closing: nothing left to do
		}
	}

	@Override
	public String toString() {
		return "worker " + this.workerId + "'s " + (this.quiet ? "quiet " : "") + "connection for sessions";
	}

}
