package io.bootcluster.session;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.AttachedPool;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.PendingRequests;
import io.bootcluster.worker.WorkerRuntime;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * Asks the master on connections of their own, where the asking thread writes the request
 * and reads the answer itself: a session's round trip then wakes two threads (the master's
 * sessions thread, and the asker), where the worker's main channel wakes four. A servlet
 * request's thread waits for its session anyway, so it may as well read. Changes are sent
 * without waiting at all.
 * <p>
 * Each connection serves one thread at a time ({@link AttachedPool}); beyond
 * {@link #MAX_CONNECTIONS} of them, and for a while after a connection could not be
 * opened, requests take the main channel. Thread-safe: the pool is.
 */
final class AttachedConnections implements MasterSessionClient.Transport {

	/** Connections a worker keeps at most, beside its main channel. */
	static final int MAX_CONNECTIONS = 8;

	private final MasterSessionClient.Transport mainChannel;

	private final AttachedPool pool;

	private final AtomicLong lastId = new AtomicLong();

	AttachedConnections(WorkerRuntime runtime) {
		this.mainChannel = MasterSessionClient.Transport.mainChannel(runtime);
		this.pool = new AttachedPool("session", MAX_CONNECTIONS, (id) -> runtime.attach());
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
		AttachedPool.Lease attached = this.pool.take();
		if (attached == null) {
			return this.mainChannel.ask(action, body, timeout);
		}
		Message.Request request = new Message.Request(this.lastId.incrementAndGet(), action.wireName(), body);
		boolean reusable = false;
		try {
			attached.begin(timeout);
			attached.connection().send(request);
			Message answer = attached.connection().receive();
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
			attached.giveBack(reusable);
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
		AttachedPool.Lease attached = this.pool.take();
		if (attached == null) {
			return this.mainChannel.change(action, body, timeout);
		}
		boolean reusable = false;
		try {
			// Id 0: no answer wanted. The socket's buffer takes it, or makes this thread wait
			attached.begin(timeout);
			attached.connection().send(new Message.Request(0, action.wireName(), body));
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
			attached.giveBack(reusable);
		}
	}

	private static String noAnswer(Action action, Duration timeout) {
		return "No answer to '" + action.wireName() + "' within " + timeout.toMillis() + " ms";
	}

}
