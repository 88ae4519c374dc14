package io.bootcluster.master;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
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
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.SessionFrames;
import io.bootcluster.master.SessionRequests.Origin;
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
 * A worker's quiet connection carries the changes to the sessions it holds copies of
 * ({@link SessionHolders}). It is in a selector of its own that this thread never waits
 * on, so those changes wake nobody: they are read before any find is answered, and at
 * least every {@link #IDLE_INTERVAL_MILLIS} ms (every {@link #QUIET_INTERVAL_MILLIS} ms while
 * they carry any, so that a busy worker never waits for room). Before a find takes a session from the
 * worker that holds it, the holder's copy is revoked first and its quiet connection read
 * after: a change it wrote before it could see the revocation is then applied before the
 * answer, and a change written after is one whose worker sees the revocation and asks the
 * master to apply it ({@link Action#SESSION_SYNC}) before its response leaves.
 * <p>
 * Every field belongs to that thread, but for the queues of channels and requests handed
 * over, which are concurrent, and the selectors, opened once under the lock.
 */
final class SessionChannels {

	private static final Log logger = LogFactory.getLog(SessionChannels.class);

	/** How often quiet connections are read while they carry changes. */
	static final long QUIET_INTERVAL_MILLIS = 10;

	/** How often quiet connections are read when the last reading found nothing. */
	static final long IDLE_INTERVAL_MILLIS = 1000;

	private final SessionRequests requests;

	private final SessionHolders holders;

	private final Queue<SessionConnection> handedOver = new ConcurrentLinkedQueue<>();

	private final Queue<Received> submitted = new ConcurrentLinkedQueue<>();

	private final FrameCodec codec;

	private @Nullable Selector selector;

	private @Nullable Selector quiet;

	private boolean quietTraffic;

	SessionChannels(SessionStore store, SessionHolders holders, FrameCodec codec) {
		this.requests = new SessionRequests(store, holders);
		this.holders = holders;
		this.codec = codec;
	}

	/**
	 * Takes over a worker's welcomed connection.
	 * @param channel the connection's channel
	 * @param workerId the worker's id
	 * @param quiet whether it is the worker's quiet connection
	 */
	void add(SocketChannel channel, int workerId, boolean quiet) {
		SessionConnection connection = new SessionConnection(channel, workerId, quiet, this.codec);
		try {
			channel.configureBlocking(false);
			this.handedOver.add(connection);
			selector().wakeup();
		}
		catch (IOException ex) {
			logger.warn("Could not take " + connection + ": " + ex.getMessage());
			connection.close();
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
			this.submitted.add(new Received(request, from::trySend, Origin.UNKNOWN, "worker's main channel"));
			selector().wakeup();
		}
		catch (IOException ex) {
			logger.warn("Could not answer a request about sessions: " + ex.getMessage());
		}
		return true;
	}

	// Opened, and the thread started, when the first worker asks
	private synchronized Selector selector() throws IOException {
		if (this.selector == null) {
			Selector selector = Selector.open();
			Selector quiet = Selector.open();
			DaemonThreads.start("cluster-sessions", () -> serve(selector, quiet));
			this.selector = selector;
			this.quiet = quiet;
		}
		return this.selector;
	}

	private void serve(Selector selector, Selector quiet) {
		try {
			while (selector.isOpen()) {
				selector.select(this.quietTraffic ? QUIET_INTERVAL_MILLIS : IDLE_INTERVAL_MILLIS);
				List<Received> batch = new ArrayList<>();
				// Until nothing more is there to read: every save sent before a find read here
				// is then read too
				do {
					register(selector, quiet);
					readSelected(selector, batch);
					Received received;
					while ((received = this.submitted.poll()) != null) {
						batch.add(received);
					}
				}
				while (selector.selectNow() > 0 || !this.handedOver.isEmpty() || !this.submitted.isEmpty());
				this.quietTraffic = drainQuiet(quiet);
				answer(batch);
			}
		}
		catch (IOException | ClosedSelectorException ex) {
			// The selector itself failed: nothing here could serve a session again
			logger.error("Sessions are no longer served: " + ex.getMessage());
		}
	}

	private void register(Selector selector, Selector quiet) {
		SessionConnection connection;
		while ((connection = this.handedOver.poll()) != null) {
			try {
				connection.key = connection.channel.register(connection.quiet ? quiet : selector,
						SelectionKey.OP_READ, connection);
				if (connection.quiet) {
					this.holders.connected(connection);
				}
			}
			catch (IOException ex) {
				// Closed since it was handed over: its worker is gone
				connection.close();
			}
		}
	}

	private void readSelected(Selector selector, List<Received> batch) {
		for (SelectionKey key : selector.selectedKeys()) {
			SessionConnection connection = (SessionConnection) key.attachment();
			Origin origin = new Origin(connection.workerId, false);
			onConnection(connection, () -> {
				if (key.isReadable()) {
					connection.read((request) -> batch
						.add(new Received(request, connection::send, origin, connection.toString())));
				}
				if (key.isValid() && key.isWritable()) {
					connection.flush();
				}
			});
		}
		selector.selectedKeys().clear();
	}

	// Every change the workers sent quietly, applied as read; whether there were any
	private boolean drainQuiet(Selector quiet) throws IOException {
		if (quiet.selectNow() == 0) {
			return false;
		}
		for (SelectionKey key : quiet.selectedKeys()) {
			drain((SessionConnection) key.attachment());
		}
		quiet.selectedKeys().clear();
		return true;
	}

	private void drain(SessionConnection quiet) {
		Origin origin = new Origin(quiet.workerId, true);
		onConnection(quiet, () -> quiet.read((request) -> this.requests.answer(request, origin)));
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
				takeCopyBack(received);
				received.answer(this.requests);
			}
		}
	}

	// A find from another worker than the holder: the holder's copy is revoked, then what
	// it wrote before it could know is applied
	private void takeCopyBack(Received received) {
		String id = received.sessionToFind();
		SessionConnection holder = (id != null) ? this.holders.holder(id) : null;
		if (holder != null && holder.workerId != received.from().workerId()) {
			this.holders.revoke(id);
			drain(holder);
		}
	}

	// One connection that fails, however, fails alone: the thread goes on serving the others
	private void onConnection(SessionConnection connection, IoStep step) {
		try {
			step.run();
		}
		catch (FrameException ex) {
			logger.warn("Closing " + connection + ": " + ex.getMessage());
			connection.close();
		}
		catch (IOException ex) {
			connection.close();
		}
		catch (RuntimeException ex) {
			logger.error("Closing " + connection, ex);
			connection.close();
		}
		if (!connection.isOpen()) {
			this.holders.closed(connection);
		}
	}

	@FunctionalInterface
	private interface IoStep {

		void run() throws IOException;

	}

	/**
	 * A request read, with where its answer goes.
	 */
	private record Received(Message.Request request, Consumer<Message.Reply> replyTo, Origin from,
			String description) {

		boolean changes() {
			Action action = SessionRequests.action(this.request);
			return action == Action.SESSION_SAVE || action == Action.SESSION_DELETE;
		}

		@Nullable String sessionToFind() {
			if (SessionRequests.action(this.request) != Action.SESSION_FIND) {
				return null;
			}
			try {
				return SessionFrames.id(this.request.body());
			}
			catch (IllegalArgumentException ex) {
				// Answered as refused
				return null;
			}
		}

		// One request that fails, however, fails alone: the thread goes on serving the others
		void answer(SessionRequests requests) {
			try {
				Message.Reply reply = requests.answer(this.request, this.from);
				if (reply != null) {
					this.replyTo.accept(reply);
				}
			}
			catch (RuntimeException ex) {
				logger.error("Could not answer a request about sessions from " + this.description, ex);
			}
		}

	}

}
