package io.bootcluster.internal.ipc;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * Requests sent on the channel that wait for their {@link Message.Reply}. Every request
 * ends: with its reply, with a timeout, or when the channel closes.
 */
public final class PendingRequests {

	private final AtomicLong lastId = new AtomicLong();

	private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

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
	 * Starts waiting for the reply to a request the caller sends itself.
	 * @param what the request, for the timeout's message
	 * @param timeout how long to wait for the reply
	 * @return the request's id, and the future its reply completes
	 */
	public Waiting register(String what, Duration timeout) {
		long id = this.lastId.incrementAndGet();
		CompletableFuture<JsonNode> reply = new CompletableFuture<>();
		this.pending.put(id, reply);
		reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((result, failure) -> {
			this.pending.remove(id);
		});
		return new Waiting(id, reply.exceptionallyCompose((failure) -> {
			if (failure instanceof TimeoutException) {
				return CompletableFuture.failedFuture(
						new TimeoutException("No reply to " + what + " within " + timeout.toMillis() + " ms"));
			}
			return CompletableFuture.failedFuture(failure);
		}));
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
		CompletableFuture<JsonNode> future = this.pending.remove(reply.id());
		if (future == null) {
			return false;
		}
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
		this.pending.values().forEach((future) -> future.completeExceptionally(new IllegalStateException(reason)));
		this.pending.clear();
	}

	/**
	 * A request's id and the future of its reply.
	 *
	 * @param id the request's id
	 * @param reply completed with the reply's body, or exceptionally
	 */
	public record Waiting(long id, CompletableFuture<JsonNode> reply) {
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
