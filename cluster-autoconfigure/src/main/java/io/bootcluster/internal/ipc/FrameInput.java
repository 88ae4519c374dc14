package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

import org.jspecify.annotations.Nullable;

/**
 * The bytes read from one connection that are not yet messages: a reader asks the socket
 * for as much as it holds, which is often many frames at once, and takes the messages out
 * one by one. Belongs to the one thread that reads the connection.
 */
public final class FrameInput {

	private static final int INITIAL_CAPACITY = 8192;

	private static final int SHRINK_ABOVE = 64 * 1024;

	private final FrameCodec codec;

	// Unread bytes lie between start and end; the buffer grows to the frame it must hold
	private ByteBuffer buffer = ByteBuffer.allocate(INITIAL_CAPACITY);

	private int start;

	private int end;

	public FrameInput(FrameCodec codec) {
		this.codec = codec;
	}

	/**
	 * Reads what the channel holds now, as much as fits: at least the rest of the frame
	 * begun.
	 * @param channel the channel
	 * @return the number of bytes read, possibly 0 on a channel that does not block, or -1
	 * at its end
	 * @throws FrameException if the frame begun is larger than a frame may be
	 * @throws IOException if the channel fails
	 */
	public int readFrom(ReadableByteChannel channel) throws IOException {
		makeRoom();
		this.buffer.limit(this.buffer.capacity()).position(this.end);
		int read = channel.read(this.buffer);
		if (read > 0) {
			this.end += read;
		}
		return read;
	}

	/**
	 * Takes the next whole message out of what was read.
	 * @return the message, or {@code null} until more is read
	 * @throws FrameException if a frame is too large or not a message
	 */
	public @Nullable Message next() throws FrameException {
		int available = this.end - this.start;
		if (available < 4) {
			return null;
		}
		int length = this.codec.bodyLength(this.buffer.getInt(this.start));
		if (available < 4 + length) {
			return null;
		}
		int body = this.start + 4;
		this.start = body + length;
		return this.codec.decode(this.buffer.array(), body, length);
	}

	/**
	 * Whether bytes were read that are not yet a message.
	 * @return whether any are left
	 */
	public boolean hasUnread() {
		return this.end > this.start;
	}

	private void makeRoom() throws FrameException {
		int available = this.end - this.start;
		int needed = (available >= 4) ? 4 + this.codec.bodyLength(this.buffer.getInt(this.start)) : 4;
		if (available == 0 && this.buffer.capacity() > SHRINK_ABOVE) {
			// A large frame passed: its room is not kept for the connection's lifetime
			this.buffer = ByteBuffer.allocate(INITIAL_CAPACITY);
			this.start = 0;
			this.end = 0;
		}
		int capacity = this.buffer.capacity();
		if (this.start > 0 && (available == 0 || capacity - this.start < needed || capacity - this.end < 1024)) {
			// Moves the rest of a frame to the front, seldom: when the buffer's tail is short
			System.arraycopy(this.buffer.array(), this.start, this.buffer.array(), 0, available);
			this.start = 0;
			this.end = available;
		}
		if (capacity < needed) {
			ByteBuffer larger = ByteBuffer.allocate(needed);
			System.arraycopy(this.buffer.array(), this.start, larger.array(), 0, available);
			this.buffer = larger;
			this.start = 0;
			this.end = available;
		}
	}

}
