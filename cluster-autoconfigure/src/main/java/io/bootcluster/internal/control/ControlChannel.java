package io.bootcluster.internal.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

import io.bootcluster.internal.ipc.ActiveTimeout;
import io.bootcluster.internal.ipc.FrameCodec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One exchange on a master's control socket: the command line connects, writes one JSON
 * request and closes its side, the master answers with one JSON document and closes.
 * Every read has a deadline, so a peer that stalls holds nothing up for long. Stateless.
 */
public final class ControlChannel {

	/** The largest request a master reads, in bytes. */
	public static final int MAX_REQUEST = 64 * 1024;

	/** The largest answer the command line reads, in bytes. */
	public static final int MAX_ANSWER = 16 * 1024 * 1024;

	private ControlChannel() {
	}

	/**
	 * Asks a master.
	 * @param socket its control socket
	 * @param request the request
	 * @param timeout how long the master may take to answer
	 * @return its answer
	 * @throws IOException if it cannot be reached, or does not answer in time
	 */
	public static JsonNode ask(Path socket, JsonNode request, Duration timeout) throws IOException {
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			channel.connect(UnixDomainSocketAddress.of(socket));
			write(channel, request);
			channel.shutdownOutput();
			return read(channel, MAX_ANSWER, timeout);
		}
	}

	/**
	 * Reads a whole JSON document, until the peer closes its side.
	 * @param channel the channel, blocking
	 * @param max the most bytes it may take
	 * @param timeout how long it may take
	 * @return the document
	 * @throws IOException if it is larger, late, or not JSON
	 */
	public static JsonNode read(SocketChannel channel, int max, Duration timeout) throws IOException {
		// Closing the channel is what ends a blocked read
		ActiveTimeout deadline = ActiveTimeout.start(timeout, () -> close(channel));
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		ByteBuffer buffer = ByteBuffer.allocate(8192);
		try {
			while (channel.read(buffer.clear()) >= 0) {
				if (bytes.size() + buffer.position() > max) {
					throw new IOException("more than " + max + " bytes");
				}
				bytes.write(buffer.array(), 0, buffer.position());
			}
		}
		catch (IOException ex) {
			throw channel.isOpen() ? ex : new IOException("no answer within " + timeout.toSeconds() + "s", ex);
		}
		finally {
			deadline.cancel();
		}
		try {
			return FrameCodec.mapper().readTree(bytes.toByteArray());
		}
		catch (JacksonException ex) {
			throw new IOException("not JSON: " + ex.getOriginalMessage(), ex);
		}
	}

	/**
	 * Writes a JSON document.
	 * @param channel the channel, blocking
	 * @param document the document
	 * @throws IOException if it cannot be written
	 */
	public static void write(SocketChannel channel, JsonNode document) throws IOException {
		ByteBuffer bytes = ByteBuffer.wrap(FrameCodec.mapper().writeValueAsBytes(document));
		while (bytes.hasRemaining()) {
			channel.write(bytes);
		}
	}

	private static void close(SocketChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// Closed already
		}
	}

}
