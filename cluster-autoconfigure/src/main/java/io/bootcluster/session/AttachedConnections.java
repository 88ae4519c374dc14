package io.bootcluster.session;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.PendingRequests;
import io.bootcluster.worker.WorkerRuntime;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * Asks the master on connections of their own, where the asking thread writes the request
 * and reads the answer itself: a session's round trip then wakes two threads (the master's
 * sessions thread, and the asker), where the worker's main channel wakes four. A servlet
 * request's thread waits for its session anyway, so it may as well read. Changes are sent
 * without waiting at all.
 * <p>
 * Each connection serves one thread at a time, taken from the idle ones and given back
 * after the answer. At most {@link #MAX_CONNECTIONS} are open; beyond them, and for a while
 * after a connection could not be opened, requests take the main channel. A master that stops
 * answering is noticed by a watchdog thread, once a second, rather than by a timer per
 * request, whose scheduling would wake a thread each time. Thread-safe: the connections
 * are in concurrent collections, the counts and flags are atomics, and each connection's
 * deadline is decided by compare-and-set.
 */
final class AttachedConnections implements MasterSessionClient.Transport {

	private static final Log logger = LogFactory.getLog(AttachedConnections.class);

	/** Connections a worker keeps at most, beside its main channel. */
	static final int MAX_CONNECTIONS = 8;

	private static final Duration WATCHDOG_INTERVAL = Duration.ofSeconds(1);

	/** How long requests take the main channel after a connection could not be attached. */
	private static final Duration ATTACH_BACKOFF = Duration.ofSeconds(10);

	private final WorkerRuntime runtime;

	private final MasterSessionClient.Transport mainChannel;

	private final ConcurrentLinkedDeque<Attached> idle = new ConcurrentLinkedDeque<>();

	private final Set<Attached> all = ConcurrentHashMap.newKeySet();

	private final AtomicInteger open = new AtomicInteger();

	private final AtomicLong lastId = new AtomicLong();

	private final AtomicBoolean watching = new AtomicBoolean();

	private volatile long attachFailedAt = System.nanoTime() - ATTACH_BACKOFF.toNanos();

	AttachedConnections(WorkerRuntime runtime) {
		this.runtime = runtime;
		this.mainChannel = MasterSessionClient.Transport.mainChannel(runtime);
	}

	/**
	 * Asks the master, waiting for the answer on the calling thread.
	 * @param action what to ask
	 * @param body the request's input
	 * @param timeout how long the master gets to answer
	 * @return the answer, completed, or failed as {@link WorkerRuntime#request} fails
	 */
	@Override
	public CompletableFuture<JsonNode> ask(Action action, JsonNode body, Duration timeout) {
		Attached attached = take();
		if (attached == null) {
			return this.mainChannel.ask(action, body, timeout);
		}
		Message.Request request = new Message.Request(this.lastId.incrementAndGet(), action.wireName(), body);
		boolean reusable = false;
		try {
			attached.begin(timeout);
			attached.connection.send(request);
			Message answer = attached.connection.receive();
			if (!attached.end()) {
				return CompletableFuture.failedFuture(new IllegalStateException(noAnswer(action, timeout)));
			}
			if (!(answer instanceof Message.Reply reply) || reply.id() != request.id()) {
				throw new IOException("The master answered out of turn");
			}
			reusable = true;
			if (reply.error() != null) {
				return CompletableFuture.failedFuture(new PendingRequests.RequestRejectedException(reply.error()));
			}
			return CompletableFuture.completedFuture((reply.body() != null) ? reply.body() : NullNode.getInstance());
		}
		catch (IOException ex) {
			String reason = attached.end() ? "The channel to the master failed: " + ex.getMessage()
					: noAnswer(action, timeout);
			return CompletableFuture.failedFuture(new IllegalStateException(reason, ex));
		}
		finally {
			giveBack(attached, reusable);
		}
	}

	/**
	 * Sends the master a change without waiting for it to be applied: the master applies
	 * every change it read before it answers any find, and it read this one before the
	 * client could send another request. On the main channel, when no connection is
	 * free, the change waits for its answer instead.
	 * @param action the change
	 * @param body its input
	 * @param timeout how long the master gets to take it
	 * @return completed once sent
	 */
	@Override
	public CompletableFuture<?> change(Action action, JsonNode body, Duration timeout) {
		Attached attached = take();
		if (attached == null) {
			return this.mainChannel.change(action, body, timeout);
		}
		boolean reusable = false;
		try {
			// Id 0: no answer wanted. The socket's buffer takes it, or makes this thread wait
			attached.begin(timeout);
			attached.connection.send(new Message.Request(0, action.wireName(), body));
			reusable = attached.end();
			return reusable ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(
					new IllegalStateException("The master took no change within " + timeout.toMillis() + " ms"));
		}
		catch (IOException ex) {
			attached.end();
			return CompletableFuture
				.failedFuture(new IllegalStateException("The channel to the master failed: " + ex.getMessage(), ex));
		}
		finally {
			giveBack(attached, reusable);
		}
	}

	private static String noAnswer(Action action, Duration timeout) {
		return "No answer to '" + action.wireName() + "' within " + timeout.toMillis() + " ms";
	}

	private @Nullable Attached take() {
		Attached attached = this.idle.poll();
		if (attached != null) {
			return attached;
		}
		// After a failed attach, the main channel for a while: no request waits on a handshake
		// that failed a moment ago
		if (System.nanoTime() - this.attachFailedAt < ATTACH_BACKOFF.toNanos()) {
			return null;
		}
		if (this.open.incrementAndGet() > MAX_CONNECTIONS) {
			this.open.decrementAndGet();
			return null;
		}
		try {
			attached = new Attached(this.runtime.attach());
		}
		catch (IOException ex) {
			this.open.decrementAndGet();
			this.attachFailedAt = System.nanoTime();
			logger.debug("Asking over the main channel: " + ex.getMessage());
			return null;
		}
		this.all.add(attached);
		startWatchdog();
		return attached;
	}

	// Back to the idle ones, or closed for good when it failed, or may hold half an answer
	private void giveBack(Attached attached, boolean reusable) {
		if (reusable) {
			this.idle.push(attached);
			return;
		}
		attached.connection.close();
		if (this.all.remove(attached)) {
			this.open.decrementAndGet();
		}
	}

	// Once, for the worker's life: closes what waits past its deadline, whose thread's read
	// or write then fails
	private void startWatchdog() {
		if (!this.watching.compareAndSet(false, true)) {
			return;
		}
		DaemonThreads.start("cluster-session-watchdog", () -> {
			while (true) {
				try {
					Thread.sleep(WATCHDOG_INTERVAL.toMillis());
				}
				catch (InterruptedException ex) {
					return;
				}
				long now = System.nanoTime();
				this.all.forEach((attached) -> attached.expireIfDue(now));
			}
		});
	}

	/**
	 * A connection, and when what it waits for is due. The deadline is taken back by the
	 * thread that used the connection, or by the watchdog, whichever comes first: one
	 * compare-and-set decides, so the watchdog never closes a connection that went back
	 * to the idle ones.
	 */
	private static final class Attached {

		private static final long IDLE = 0;

		private static final long EXPIRED = Long.MIN_VALUE;

		final Connection connection;

		// System.nanoTime() by which the master must answer; IDLE, or EXPIRED once closed
		private final AtomicLong deadline = new AtomicLong(IDLE);

		Attached(Connection connection) {
			this.connection = connection;
		}

		void begin(Duration timeout) {
			this.deadline.set(System.nanoTime() + timeout.toNanos());
		}

		// Whether the use ended before the watchdog expired it
		boolean end() {
			long due = this.deadline.get();
			return due != EXPIRED && this.deadline.compareAndSet(due, IDLE);
		}

		void expireIfDue(long now) {
			long due = this.deadline.get();
			if (due != IDLE && due != EXPIRED && now - due > 0 && this.deadline.compareAndSet(due, EXPIRED)) {
				this.connection.close();
			}
		}

	}

}
