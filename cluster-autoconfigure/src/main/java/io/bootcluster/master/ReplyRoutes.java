package io.bootcluster.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The connections workers attached to read answers on: a worker's asking thread names one
 * in its request ({@link Message.UserMessage#via()}) and reads the answer from it itself,
 * where an answer on the main channel would wake the worker's reader first, then the
 * asker. The master only writes on them, and never waits: an answer the socket does not
 * take at once closes the route, and the asker, whose timeout then passes, sees it fail.
 * <p>
 * A worker keeps a few routes open and closes one when an answer was late; the master
 * notices when that worker attaches another, by reading its routes, which carry nothing
 * from the worker but their end. Every route of a worker closes with its main channel.
 * Thread-safe: each route's writes are under its own lock, and the routes are in
 * concurrent maps.
 */
final class ReplyRoutes {

	private static final Log logger = LogFactory.getLog(ReplyRoutes.class);

	private final FrameCodec codec;

	private final Map<Integer, Map<Long, SocketChannel>> routes = new ConcurrentHashMap<>();

	ReplyRoutes(FrameCodec codec) {
		this.codec = codec;
	}

	/**
	 * Takes a route a worker attached, after dropping those of its routes that it closed.
	 * @param workerId the worker
	 * @param id the route's id among the worker's
	 * @param channel the connection
	 */
	void add(int workerId, long id, SocketChannel channel) {
		try {
			channel.configureBlocking(false);
		}
		catch (IOException ex) {
			close(channel);
			return;
		}
		Map<Long, SocketChannel> routes = this.routes.computeIfAbsent(workerId, (key) -> new ConcurrentHashMap<>());
		routes.values().removeIf((route) -> !isOpen(route));
		SocketChannel replaced = routes.put(id, channel);
		if (replaced != null) {
			close(replaced);
		}
	}

	/**
	 * Writes an answer on the route its request named.
	 * @param reply the answer
	 * @return whether it went out; {@code false} when the route is gone or did not take it
	 */
	boolean send(Message.UserReply reply) {
		Map<Long, SocketChannel> routes = this.routes.get(reply.to());
		SocketChannel route = (routes != null) ? routes.get(reply.via()) : null;
		if (route == null) {
			return false;
		}
		try {
			ByteBuffer frame = this.codec.encode(reply);
			synchronized (route) {
				if (this.codec.writeAvailable(route, frame)) {
					return true;
				}
			}
			logger.warn("Closed a reply route of worker " + reply.to() + ": it did not take an answer");
		}
		catch (IOException ex) {
			logger.debug("Dropped an answer for worker " + reply.to() + ": " + ex.getMessage());
		}
		routes.remove(reply.via(), route);
		close(route);
		return false;
	}

	/**
	 * Closes every route of a worker whose channel closed.
	 * @param workerId the worker
	 */
	void removeAll(int workerId) {
		Map<Long, SocketChannel> routes = this.routes.remove(workerId);
		if (routes != null) {
			routes.values().forEach(ReplyRoutes::close);
		}
	}

	// A route carries nothing from the worker: bytes break the protocol, the end is a close
	private static boolean isOpen(SocketChannel route) {
		try {
			ByteBuffer probe = ByteBuffer.allocate(1);
			int read;
			synchronized (route) {
				read = route.read(probe);
			}
			if (read == 0) {
				return true;
			}
		}
		catch (IOException ex) {
			// Closed below
		}
		close(route);
		return false;
	}

	private static void close(@Nullable SocketChannel channel) {
		if (channel == null) {
			return;
		}
		try {
			channel.close();
		}
		catch (IOException ex) {
			// Closing a route nobody reads: nothing left to do
		}
	}

}
