package io.bootcluster.internal.ipc;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A worker's connection that never blocks, on which it tells the master what changed in
 * the HTTP sessions it holds copies of, and takes the master's revocations of those
 * copies. The master reads it only when it must (before it answers a find, and now and
 * then), so a write here wakes no thread of the master's: that is the point of it.
 * <p>
 * Not thread-safe: its owner holds one lock around every use.
 */
public final class QuietConnection implements Closeable {

	private final SocketChannel channel;

	private final FrameCodec codec;

	private final FrameInput input;

	// What the socket had no room for yet, of the last frame sent
	private @Nullable ByteBuffer unwritten;

	/**
	 * Takes over a connection the master welcomed.
	 * @param channel the connection's channel, switched to not blocking here
	 * @param codec the frame codec
	 * @throws IOException if the channel cannot be switched
	 */
	public QuietConnection(SocketChannel channel, FrameCodec codec) throws IOException {
		this.channel = channel;
		this.codec = codec;
		this.input = new FrameInput(codec);
		channel.configureBlocking(false);
	}

	/**
	 * Writes as much of a message as the socket takes now.
	 * @param message the message
	 * @return whether it was written whole; if not, {@link #flush} writes the rest
	 * @throws IOException if the channel fails, or the last message is not written yet
	 */
	public boolean send(Message message) throws IOException {
		if (this.unwritten != null) {
			throw new IOException("The last message is not written yet");
		}
		ByteBuffer frame = this.codec.encode(message);
		if (this.codec.writeAvailable(this.channel, frame)) {
			return true;
		}
		this.unwritten = frame;
		return false;
	}

	/**
	 * Writes more of the message not yet written whole, as much as the socket takes now.
	 * @return whether nothing is left to write
	 * @throws IOException if the channel fails
	 */
	public boolean flush() throws IOException {
		ByteBuffer frame = this.unwritten;
		if (frame != null && this.codec.writeAvailable(this.channel, frame)) {
			this.unwritten = null;
		}
		return this.unwritten == null;
	}

	/**
	 * Every whole message the master sent that was not taken yet, without waiting.
	 * @return the messages, in order, often none
	 * @throws IOException if the channel fails, or the master closed it
	 */
	public List<Message> poll() throws IOException {
		List<Message> messages = List.of();
		int read;
		do {
			read = this.input.readFrom(this.channel);
			Message message;
			while ((message = this.input.next()) != null) {
				if (messages.isEmpty()) {
					messages = new ArrayList<>();
				}
				messages.add(message);
			}
		}
		while (read > 0);
		if (read < 0) {
			throw new IOException("The master closed the connection");
		}
		return messages;
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
