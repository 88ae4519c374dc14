package io.bootcluster.internal.ipc;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Queue;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns messages into frames and back: a four-byte big-endian length, then that many
 * bytes of UTF-8 JSON.
 * <p>
 * Works on channels rather than streams: {@code Channels.newInputStream} serialises reads
 * and writes on one lock, and a reader blocked on a quiet socket would stall every write.
 */
public final class FrameCodec {

	/** How deep a message may nest, for its sender and its receiver alike. */
	static final int MAX_NESTING = 500;

	/** Frames larger than this are refused unless configured otherwise. */
	public static final int DEFAULT_MAX_FRAME_SIZE = 1024 * 1024;

	private final int maxFrameSize;

	private final LongAdder framesRead = new LongAdder();

	private final LongAdder framesWritten = new LongAdder();

	public FrameCodec(int maxFrameSize) {
		if (maxFrameSize < 64) {
			throw new IllegalArgumentException("maxFrameSize must be at least 64 bytes, was " + maxFrameSize);
		}
		this.maxFrameSize = maxFrameSize;
	}

	public static JsonMapper mapper() {
		return Mapper.INSTANCE;
	}

	/**
	 * Writes and reads a sample of each message type now, so that the first real one does
	 * not wait while Jackson builds what it needs for the type: a dozen milliseconds or
	 * more, which a standby taking over a dead worker's slot should not spend.
	 * @param samples a message of each type to prepare
	 */
	public static void prepare(Message... samples) {
		for (Message sample : samples) {
			mapper().readValue(mapper().writeValueAsBytes(sample), Message.class);
		}
	}

	/**
	 * Writes one frame. Callers serialise writes to a channel themselves.
	 * @param channel the channel
	 * @param message the message
	 * @throws IOException if the channel fails or the message is larger than a frame may be
	 */
	public void write(WritableByteChannel channel, Message message) throws IOException {
		write(channel, encode(message));
	}

	/**
	 * Turns a message into a frame, ready to write.
	 * @param message the message
	 * @return the frame
	 * @throws FrameException if the message is larger than a frame may be
	 */
	public ByteBuffer encode(Message message) throws FrameException {
		byte[] body;
		try {
			body = mapper().writeValueAsBytes(message);
		}
		catch (JacksonException ex) {
			// Nested deeper than a frame may be, say: refused here, not by the receiver
			throw new FrameException("Message cannot be framed: " + ex.getOriginalMessage(), ex);
		}
		if (body.length > this.maxFrameSize) {
			throw new FrameException(
					"Message of " + body.length + " bytes is larger than the frame limit of " + this.maxFrameSize);
		}
		ByteBuffer frame = ByteBuffer.allocate(4 + body.length);
		frame.putInt(body.length).put(body).flip();
		return frame;
	}

	/**
	 * Writes a frame made by {@link #encode(Message)}.
	 * @param channel the channel
	 * @param frame the frame
	 * @throws IOException if the channel fails
	 */
	public void write(WritableByteChannel channel, ByteBuffer frame) throws IOException {
		while (frame.hasRemaining()) {
			channel.write(frame);
		}
		this.framesWritten.increment();
	}

	/**
	 * Counts frames a caller wrote itself, gathered into one write.
	 * @param frames how many
	 */
	void wrote(int frames) {
		this.framesWritten.add(frames);
	}

	/**
	 * Writes what a channel that does not block takes of a frame now.
	 * @param channel the channel
	 * @param frame the frame, or what is left of it
	 * @return whether the frame is written whole
	 * @throws IOException if the channel fails
	 */
	public boolean writeAvailable(WritableByteChannel channel, ByteBuffer frame) throws IOException {
		channel.write(frame);
		if (frame.hasRemaining()) {
			return false;
		}
		this.framesWritten.increment();
		return true;
	}

	/**
	 * Writes queued frames, oldest first, as far as a channel that does not block takes
	 * them now. A frame written in part stays first in the queue.
	 * @param channel the channel
	 * @param frames the frames, each made by {@link #encode(Message)}
	 * @return how many bytes were written
	 * @throws IOException if the channel fails
	 */
	public long writeAvailable(WritableByteChannel channel, Queue<ByteBuffer> frames) throws IOException {
		long written = 0;
		while (!frames.isEmpty()) {
			ByteBuffer frame = frames.peek();
			int before = frame.remaining();
			boolean whole = writeAvailable(channel, frame);
			written += before - frame.remaining();
			if (!whole) {
				break;
			}
			frames.poll();
		}
		return written;
	}

	/**
	 * Reads one frame.
	 * @param channel the channel
	 * @return the message, or {@code null} when the peer closed the channel between frames
	 * @throws FrameException if the frame is too large or not a message
	 * @throws IOException if the channel fails or closes inside a frame
	 */
	public @Nullable Message read(ReadableByteChannel channel) throws IOException {
		ByteBuffer header = ByteBuffer.allocate(4);
		if (!readFully(channel, header, true)) {
			return null;
		}
		int length = bodyLength(header.flip().getInt());
		ByteBuffer body = ByteBuffer.allocate(length);
		readFully(channel, body, false);
		return decode(body.array(), 0, length);
	}

	/**
	 * The length a frame's header announces, checked against the limit.
	 * @param header the frame's first four bytes, big-endian
	 * @return the length of the frame's body
	 * @throws FrameException if the frame is larger than a frame may be
	 */
	public int bodyLength(int header) throws FrameException {
		if (header < 0 || header > this.maxFrameSize) {
			throw new FrameException("Frame of " + Integer.toUnsignedString(header)
					+ " bytes is larger than the frame limit of " + this.maxFrameSize);
		}
		return header;
	}

	/**
	 * Reads the message in a frame's body, for a reader that assembles frames itself.
	 * @param bytes holds the body
	 * @param offset where the body starts
	 * @param length the body's length
	 * @return the message
	 * @throws FrameException if the body is not a message
	 */
	public Message decode(byte[] bytes, int offset, int length) throws FrameException {
		try {
			Message message = mapper().readValue(bytes, offset, length, Message.class);
			this.framesRead.increment();
			return message;
		}
		catch (JacksonException ex) {
			throw new FrameException("Frame is not a valid message: " + ex.getOriginalMessage(), ex);
		}
	}

	/**
	 * Frames read so far, on every channel this codec serves.
	 * @return the count
	 */
	public long framesRead() {
		return this.framesRead.sum();
	}

	/**
	 * Frames written so far, on every channel this codec serves.
	 * @return the count
	 */
	public long framesWritten() {
		return this.framesWritten.sum();
	}

	private static boolean readFully(ReadableByteChannel channel, ByteBuffer buffer, boolean endAllowed)
			throws IOException {
		while (buffer.hasRemaining()) {
			if (channel.read(buffer) < 0) {
				if (endAllowed && buffer.position() == 0) {
					return false;
				}
				throw new EOFException("Channel closed inside a frame");
			}
		}
		return true;
	}

	// Built on first use: a master forks its workers before it reads or writes a frame.
	// What one side writes, the other reads: a frame's size is the limit, and nesting is
	// limited alike on both sides, so no message that left its sender is refused on arrival
	// (a key of 60,000 characters, which Jackson writes but by default refuses to read)
	private static final class Mapper {

		static final JsonMapper INSTANCE = JsonMapper.builder(JsonFactory.builder()
			.streamReadConstraints(StreamReadConstraints.builder()
				.maxNameLength(Integer.MAX_VALUE)
				.maxStringLength(Integer.MAX_VALUE)
				.maxNumberLength(Integer.MAX_VALUE)
				.maxNestingDepth(MAX_NESTING)
				.build())
			.streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_NESTING).build())
			.build()).build();

	}

}
