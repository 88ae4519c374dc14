package io.bootcluster.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The connections workers attached to read answers on: a worker's asking thread names one
 * in its request ({@link Message.UserMessage#via()}) and reads the answer from it itself,
 * where an answer on the main channel would wake the worker's reader first, then the
 * asker. The master only writes on them, and never waits: what the socket does not take
 * at once is written by one writer thread ({@code cluster-reply-writer}) as the socket
 * drains, up to {@link #MAX_UNWRITTEN} bytes a route, beyond which the route closes.
 * <p>
 * A worker keeps a few routes open and closes one when an answer was late; the master
 * notices when that worker attaches another, by reading its routes, which carry nothing
 * from the worker but their end. A worker's routes are taken only while it is on the
 * channel, and close with its main channel. Thread-safe: the maps are concurrent, each
 * route's writes and unwritten bytes are under the route's lock, and the writer's selector
 * belongs to the writer, which registers the routes handed to it.
 */
final class ReplyRoutes {

	private static final Log logger = LogFactory.getLog(ReplyRoutes.class);

	/** Unwritten bytes a route may hold for a worker that does not read it. */
	static final int MAX_UNWRITTEN = 16 * 1024 * 1024;

	private final FrameCodec codec;

	private final Map<Integer, Map<Long, Route>> routes = new ConcurrentHashMap<>();

	private final Queue<Route> toWrite = new ConcurrentLinkedQueue<>();

	private @Nullable Selector writable;

	ReplyRoutes(FrameCodec codec) {
		this.codec = codec;
	}

	/**
	 * Lets a worker that joined the channel attach routes.
	 * @param workerId the worker
	 */
	void join(int workerId) {
		this.routes.putIfAbsent(workerId, new ConcurrentHashMap<>());
	}

	/**
	 * Takes a route a worker attached, after dropping those of its routes that it closed;
	 * closes it when the worker is no longer on the channel.
	 * @param workerId the worker
	 * @param id the route's id among the worker's
	 * @param channel the connection
	 */
	void add(int workerId, long id, SocketChannel channel) {
		Route route = new Route(channel);
		try {
			channel.configureBlocking(false);
		}
		catch (IOException ex) {
			route.close();
			return;
		}
		Map<Long, Route> routes = this.routes.computeIfPresent(workerId, (key, existing) -> {
			existing.values().removeIf((each) -> !each.isOpen());
			Route replaced = existing.put(id, route);
			if (replaced != null) {
				replaced.close();
			}
			return existing;
		});
		if (routes == null) {
			route.close();
		}
	}

	/**
	 * Writes an answer on the route its request named.
	 * @param reply the answer
	 * @return whether it went out, or waits for the writer; {@code false} when the route is
	 * gone or holds too much already
	 */
	boolean send(Message.UserReply reply) {
		Map<Long, Route> routes = this.routes.get(reply.to());
		Route route = (routes != null) ? routes.get(reply.via()) : null;
		if (route == null) {
			return false;
		}
		try {
			ByteBuffer frame = this.codec.encode(reply);
			synchronized (route) {
				if (route.unwritten.isEmpty() && this.codec.writeAvailable(route.channel, frame)) {
					return true;
				}
				if (route.unwrittenBytes + frame.remaining() <= MAX_UNWRITTEN) {
					boolean first = route.unwritten.isEmpty();
					route.unwritten.add(frame);
					route.unwrittenBytes += frame.remaining();
					if (first) {
						handToWriter(route);
					}
					return true;
				}
			}
			logger.warn("Closed a reply route of worker " + reply.to() + ": it does not read its answers");
		}
		catch (IOException ex) {
			logger.debug("Dropped an answer for worker " + reply.to() + ": " + ex.getMessage());
		}
		routes.remove(reply.via(), route);
		route.close();
		return false;
	}

	/**
	 * Closes every route of a worker whose channel closed.
	 * @param workerId the worker
	 */
	void removeAll(int workerId) {
		Map<Long, Route> routes = this.routes.remove(workerId);
		if (routes != null) {
			routes.values().forEach(Route::close);
		}
	}

	private void handToWriter(Route route) throws IOException {
		Selector selector;
		synchronized (this.toWrite) {
			selector = this.writable;
			if (selector == null) {
				Selector opened = Selector.open();
				DaemonThreads.start("cluster-reply-writer", () -> writeUnwritten(opened));
				this.writable = opened;
				selector = opened;
			}
		}
		this.toWrite.add(route);
		selector.wakeup();
	}

	// The writer thread: registers the routes handed to it, and writes what each holds as
	// its socket drains
	private void writeUnwritten(Selector selector) {
		try (selector) {
			while (true) {
				Route handed;
				while ((handed = this.toWrite.poll()) != null) {
					// Registered once, then only waiting for room while it holds bytes
					SelectionKey key = handed.channel.keyFor(selector);
					if (key != null && key.isValid()) {
						key.interestOps(SelectionKey.OP_WRITE);
					}
					else if (handed.channel.isOpen()) {
						handed.channel.register(selector, SelectionKey.OP_WRITE, handed);
					}
				}
				selector.select();
				for (SelectionKey key : selector.selectedKeys()) {
					Route route = (Route) key.attachment();
					if (!route.writeUnwritten(this.codec) && key.isValid()) {
						key.interestOps(0);
					}
				}
				selector.selectedKeys().clear();
			}
		}
		catch (IOException | ClosedSelectorException ex) {
			logger.warn("The writer of reply routes stopped: " + ex.getMessage());
		}
	}

	/**
	 * A route, and what its socket has not taken yet.
	 */
	private static final class Route {

		final SocketChannel channel;

		final ArrayDeque<ByteBuffer> unwritten = new ArrayDeque<>();

		long unwrittenBytes;

		Route(SocketChannel channel) {
			this.channel = channel;
		}

		// Whether bytes are left to write once the socket drains again
		synchronized boolean writeUnwritten(FrameCodec codec) {
			try {
				this.unwrittenBytes -= codec.writeAvailable(this.channel, this.unwritten);
				return !this.unwritten.isEmpty();
			}
			catch (IOException ex) {
				close();
				return false;
			}
		}

		// A route carries nothing from the worker: bytes break the protocol, the end is a close
		synchronized boolean isOpen() {
			try {
				if (this.channel.read(ByteBuffer.allocate(1)) == 0) {
					return true;
				}
			}
			catch (IOException ex) {
				// Closed below
			}
			close();
			return false;
		}

		void close() {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				// Closing a route nobody reads: nothing left to do
			}
		}

	}

}
