package io.bootcluster.session;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
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
 * after the answer. At most {@link #MAX_CONNECTIONS} are open; beyond them, and when a
 * connection cannot be opened, requests take the main channel. A master that stops
 * answering is noticed by a watchdog thread, once a second, rather than by a timer per
 * request, whose scheduling would wake a thread each time. Thread-safe: the connections
 * are in concurrent collections, the count is an atomic, and what one thread asks on a
 * connection is in its volatile fields.
 */
final class AttachedConnections implements MasterSessionClient.Transport {

	private static final Log logger = LogFactory.getLog(AttachedConnections.class);

	/** Connections a worker keeps at most: each is a thread in the master. */
	static final int MAX_CONNECTIONS = 8;

	private static final Duration WATCHDOG_INTERVAL = Duration.ofSeconds(1);

	private final WorkerRuntime runtime;

	private final MasterSessionClient.Transport mainChannel;

	private final ConcurrentLinkedDeque<Attached> idle = new ConcurrentLinkedDeque<>();

	private final Set<Attached> all = ConcurrentHashMap.newKeySet();

	private final AtomicInteger open = new AtomicInteger();

	private final AtomicLong lastId = new AtomicLong();

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
		attached.deadline = System.nanoTime() + timeout.toNanos();
		try {
			attached.connection.send(request);
			Message answer = attached.connection.receive();
			attached.deadline = 0;
			if (!(answer instanceof Message.Reply reply) || reply.id() != request.id()) {
				throw new IOException("The master answered out of turn");
			}
			this.idle.push(attached);
			if (reply.error() != null) {
				return CompletableFuture.failedFuture(new PendingRequests.RequestRejectedException(reply.error()));
			}
			return CompletableFuture.completedFuture((reply.body() != null) ? reply.body() : NullNode.getInstance());
		}
		catch (IOException ex) {
			discard(attached);
			String reason = attached.expired
					? "No answer to '" + action.wireName() + "' within " + timeout.toMillis() + " ms"
					: "The channel to the master failed: " + ex.getMessage();
			return CompletableFuture.failedFuture(new IllegalStateException(reason, ex));
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
		try {
			// Id 0: no answer wanted. The socket's buffer takes it, or makes this thread wait
			attached.deadline = System.nanoTime() + timeout.toNanos();
			attached.connection.send(new Message.Request(0, action.wireName(), body));
			attached.deadline = 0;
			this.idle.push(attached);
			return CompletableFuture.completedFuture(null);
		}
		catch (IOException ex) {
			discard(attached);
			return CompletableFuture
				.failedFuture(new IllegalStateException("The channel to the master failed: " + ex.getMessage(), ex));
		}
	}

	private @Nullable Attached take() {
		Attached attached = this.idle.poll();
		if (attached != null) {
			return attached;
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
			logger.debug("Asking over the main channel: " + ex.getMessage());
			return null;
		}
		if (this.all.isEmpty()) {
			startWatchdog();
		}
		this.all.add(attached);
		return attached;
	}

	private void discard(Attached attached) {
		attached.connection.close();
		if (this.all.remove(attached)) {
			this.open.decrementAndGet();
		}
	}

	// Closes what waits past its deadline: the waiting thread's read then fails. Ends with
	// the last connection, and starts again with the next
	private synchronized void startWatchdog() {
		DaemonThreads.start("cluster-session-watchdog", () -> {
			do {
				try {
					Thread.sleep(WATCHDOG_INTERVAL.toMillis());
				}
				catch (InterruptedException ex) {
					return;
				}
				long now = System.nanoTime();
				for (Attached attached : this.all) {
					long deadline = attached.deadline;
					if (deadline != 0 && now - deadline > 0) {
						attached.expired = true;
						attached.connection.close();
					}
				}
			}
			while (!this.all.isEmpty());
		});
	}

	/**
	 * A connection, and when what it waits for is due.
	 */
	private static final class Attached {

		final Connection connection;

		// System.nanoTime() by which the master must answer; 0 while idle
		volatile long deadline;

		volatile boolean expired;

		Attached(Connection connection) {
			this.connection = connection;
		}

	}

}
