package io.bootcluster.internal.ipc;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * Requests sent on the channel that wait for their {@link Message.Reply}. Every request
 * ends: with its reply, with a timeout, or when the channel closes.
 * <p>
 * Timeouts cost nothing per request: rather than a timer each (which wakes a timer thread
 * twice per round trip), one sweep is scheduled for the earliest deadline, and fails what
 * expired when it runs. With one timeout for every request, that is one sweep per
 * timeout's length. The sweep's schedule is guarded by its lock.
 */
public final class PendingRequests {

	private static final ScheduledExecutorService sweeps = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.factory("cluster-request-timeouts"));

	private final AtomicLong lastId = new AtomicLong();

	private final Map<Long, Waiting> pending = new ConcurrentHashMap<>();

	private final Object sweepLock = new Object();

	private boolean sweepScheduled;

	private long sweepAt;

	/**
	 * Creates a request and starts waiting for its reply.
	 * @param action what the peer should do
	 * @param body the action's input
	 * @param timeout how long to wait for the reply
	 * @return the request to send, and the future its reply completes
	 */
	public Pending create(String action, JsonNode body, Duration timeout) {
		Waiting waiting = register("'" + action + "'", timeout);
		return new Pending(new Message.Request(waiting.id(), action, body), waiting.reply());
	}

	/**
	 * An id for a request whose reply the caller reads itself, unique among this
	 * process's requests.
	 * @return the id
	 */
	public long nextId() {
		return this.lastId.incrementAndGet();
	}

	/**
	 * Starts waiting for the reply to a request the caller sends itself.
	 * @param what the request, for the timeout's message
	 * @param timeout how long to wait for the reply
	 * @return the request's id, and the future its reply completes
	 */
	public Waiting register(String what, Duration timeout) {
		long id = this.lastId.incrementAndGet();
		long deadline = System.nanoTime() + timeout.toNanos();
		Waiting waiting = new Waiting(id, new CompletableFuture<>(), deadline,
				() -> "No reply to " + what + " within " + timeout.toMillis() + " ms");
		this.pending.put(id, waiting);
		// However it ends (a failed send, a caller's cancel), it no longer waits
		waiting.reply().whenComplete((result, failure) -> this.pending.remove(id, waiting));
		sweepBy(deadline);
		return waiting;
	}

	private void sweepBy(long deadline) {
		synchronized (this.sweepLock) {
			if (this.sweepScheduled && deadline - this.sweepAt >= 0) {
				return;
			}
			this.sweepScheduled = true;
			this.sweepAt = deadline;
		}
		sweeps.schedule(this::sweep, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
	}

	private void sweep() {
		synchronized (this.sweepLock) {
			this.sweepScheduled = false;
		}
		long now = System.nanoTime();
		@Nullable Waiting next = null;
		for (Waiting waiting : this.pending.values()) {
			if (waiting.deadline() - now <= 0) {
				if (this.pending.remove(waiting.id(), waiting)) {
					waiting.reply().completeExceptionally(new TimeoutException(waiting.timeoutMessage().get()));
				}
			}
			else if (next == null || waiting.deadline() - next.deadline() < 0) {
				next = waiting;
			}
		}
		if (next != null) {
			sweepBy(next.deadline());
		}
	}

	/**
	 * Completes a request with a reply's outcome.
	 * @param id the request's id
	 * @param error why it failed, or {@code null}
	 * @param body the reply's body
	 * @return whether a request was waiting for it
	 */
	public boolean complete(long id, @Nullable String error, @Nullable JsonNode body) {
		return complete(new Message.Reply(id, error, body));
	}

	/**
	 * Completes the request a reply answers.
	 * @param reply the reply
	 * @return whether a request was waiting for it
	 */
	public boolean complete(Message.Reply reply) {
		Waiting waiting = this.pending.remove(reply.id());
		if (waiting == null) {
			return false;
		}
		CompletableFuture<JsonNode> future = waiting.reply();
		if (reply.error() != null) {
			future.completeExceptionally(new RequestRejectedException(reply.error()));
		}
		else {
			future.complete((reply.body() != null) ? reply.body() : NullNode.getInstance());
		}
		return true;
	}

	/**
	 * Fails every waiting request, when the channel closes.
	 * @param reason why
	 */
	public void failAll(String reason) {
		for (Waiting waiting : this.pending.values()) {
			if (this.pending.remove(waiting.id(), waiting)) {
				waiting.reply().completeExceptionally(new IllegalStateException(reason));
			}
		}
	}

	/**
	 * A request's id and the future of its reply.
	 *
	 * @param id the request's id
	 * @param reply completed with the reply's body, or exceptionally
	 * @param deadline when the request times out, on {@link System#nanoTime()}'s clock
	 * @param timeoutMessage says what timed out
	 */
	public record Waiting(long id, CompletableFuture<JsonNode> reply, long deadline,
			Supplier<String> timeoutMessage) {
	}

	/**
	 * A request and the future of its reply.
	 *
	 * @param request the request to send
	 * @param reply completed with the reply's body, or exceptionally
	 */
	public record Pending(Message.Request request, CompletableFuture<JsonNode> reply) {
	}

	/**
	 * The peer refused a request, saying why: bad input, or a state that does not allow it.
	 */
	public static class RequestRejectedException extends RuntimeException {

		public RequestRejectedException(String message) {
			super(message);
		}

	}

}
