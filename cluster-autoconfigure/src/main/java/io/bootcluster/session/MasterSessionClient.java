package io.bootcluster.session;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.PendingRequests;
import io.bootcluster.internal.ipc.SessionFrames;
import io.bootcluster.internal.ipc.SessionFrames.SessionChange;
import io.bootcluster.internal.ipc.SessionFrames.StoredSession;
import io.bootcluster.worker.WorkerRuntime;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializingConverter;
import org.springframework.util.unit.DataSize;

/**
 * A worker's end of the sessions the master keeps, for the servlet and the reactive
 * repository alike: it serializes attributes (Java serialization, with the application's
 * class loader, as Spring Session's JDBC store does), checks a session's size before it
 * leaves, and asks the master over the channel. Thread-safe: it keeps no state of its
 * own.
 */
final class MasterSessionClient {

	/** How long the master gets to answer, which it does at once unless it is gone. */
	static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final Transport transport;

	private final @Nullable SessionCopies copies;

	private final BooleanSupplier waitingToServe;

	private final Duration maxInactiveInterval;

	private final long maxSessionSize;

	private final Function<Object, byte[]> serializer = new SerializingConverter()::convert;

	private final Function<byte[], Object> deserializer;

	/**
	 * Creates a client.
	 * @param transport how it asks the master
	 * @param copies the copies of sessions this worker holds, or {@code null} to ask the
	 * master every time
	 * @param waitingToServe whether the worker is a standby that serves only its own
	 * warm-up yet, whose sessions are not kept
	 * @param classLoader loads the classes of attributes' values
	 * @param maxInactiveInterval how long a new session lives unused
	 * @param maxSessionSize how much one session may take, serialized, in bytes
	 */
	MasterSessionClient(Transport transport, @Nullable SessionCopies copies, BooleanSupplier waitingToServe,
			ClassLoader classLoader, Duration maxInactiveInterval, long maxSessionSize) {
		this.transport = transport;
		this.copies = copies;
		this.waitingToServe = waitingToServe;
		this.maxInactiveInterval = maxInactiveInterval;
		this.maxSessionSize = maxSessionSize;
		this.deserializer = new DeserializingConverter(classLoader)::convert;
	}

	ClusterSession create() {
		return new ClusterSession(this.maxInactiveInterval, this.deserializer);
	}

	CompletableFuture<@Nullable ClusterSession> find(String id) {
		StoredSession copy = (this.copies != null) ? this.copies.find(id) : null;
		if (copy != null) {
			return CompletableFuture.completedFuture(new ClusterSession(copy, this.deserializer));
		}
		return ask(Action.SESSION_FIND, SessionFrames.id(id)).thenApply((reply) -> {
			if (!reply.isObject()) {
				return null;
			}
			StoredSession found = StoredSession.fromJson(reply);
			if (this.copies != null && reply.path("held").asBoolean()) {
				this.copies.kept(found);
			}
			return new ClusterSession(found, this.deserializer);
		});
	}

	/**
	 * Sends what a request changed in a session, if anything.
	 * @param session the session
	 * @return completes once the master has it
	 * @throws IllegalStateException if the session is larger than one may be
	 */
	CompletableFuture<Void> save(ClusterSession session) {
		SessionChange change = session.change(this.serializer);
		if (change == null || this.waitingToServe.getAsBoolean()) {
			return CompletableFuture.completedFuture(null);
		}
		long size = SessionFrames.size(change.id(), session.attributesAfter(change));
		if (size > this.maxSessionSize) {
			throw new IllegalStateException("A session with attributes " + session.getAttributeNames() + " takes "
					+ size + " bytes serialized, more than cluster.sessions.max-session-size ("
					+ DataSize.ofBytes(this.maxSessionSize).toKilobytes()
					+ " KB) allows: keep less in the session, or raise the limit");
		}
		// A session the master no longer has (expired, deleted by another worker, evicted)
		// is not brought back by a change
		SessionCopies.Sent sent = sendQuietly(change, session);
		if (sent == SessionCopies.Sent.KEPT) {
			session.saved(change);
			return CompletableFuture.completedFuture(null);
		}
		CompletableFuture<?> taken = (sent == SessionCopies.Sent.WRITTEN) ? sync()
				: this.transport.change(Action.SESSION_SAVE, change.toJson(), TIMEOUT);
		return failed(taken).thenAccept((ignored) -> session.saved(change));
	}

	private SessionCopies.Sent sendQuietly(SessionChange change, ClusterSession session) {
		if (this.copies == null) {
			return SessionCopies.Sent.NOT_SENT;
		}
		try {
			return this.copies.send(change, session.storedAfter(change), () -> await(sync()));
		}
		catch (IOException ex) {
			throw new IllegalStateException("The channel to the master failed: " + ex.getMessage(), ex);
		}
	}

	// Answered once the master applied what this worker sent quietly
	private CompletableFuture<?> sync() {
		return ask(Action.SESSION_SYNC, NullNode.getInstance());
	}

	CompletableFuture<Void> delete(String id) {
		if (this.copies != null) {
			this.copies.drop(id);
		}
		return failed(this.transport.change(Action.SESSION_DELETE, SessionFrames.id(id), TIMEOUT))
			.thenAccept((ignored) -> {
			});
	}

	private CompletableFuture<JsonNode> ask(Action action, JsonNode body) {
		return failed(this.transport.ask(action, body, TIMEOUT));
	}

	// Why the master did not answer, in words an application's log can use
	private static <T> CompletableFuture<T> failed(CompletableFuture<T> answer) {
		return answer.exceptionallyCompose((failure) -> {
			Throwable cause = (failure instanceof CompletionException) ? failure.getCause() : failure;
			String reason = (cause instanceof PendingRequests.RequestRejectedException) ? cause.getMessage()
					: "the master keeps the sessions and did not answer: " + cause.getMessage();
			return CompletableFuture.failedFuture(new IllegalStateException(reason, cause));
		});
	}

	/**
	 * How requests reach the master: over the worker's main channel
	 * ({@link #mainChannel}), or over connections where the asking thread reads the answer
	 * ({@link AttachedConnections}).
	 */
	interface Transport {

		/**
		 * Asks the master.
		 * @param action what to ask
		 * @param body the request's input
		 * @param timeout how long the master gets to answer
		 * @return the answer
		 */
		CompletableFuture<JsonNode> ask(Action action, JsonNode body, Duration timeout);

		/**
		 * Sends the master a change: once the returned future completes, every request
		 * about sessions made after, from any worker, sees it, if the master takes it (a
		 * change the master refuses, or to a session it no longer has, is only logged).
		 * @param action the change
		 * @param body its input
		 * @param timeout how long the master gets to take it
		 * @return completes once that holds
		 */
		CompletableFuture<?> change(Action action, JsonNode body, Duration timeout);

		/**
		 * The worker's main channel, where every request waits for its answer: for
		 * callers that must not block, since the answer completes the future on the
		 * channel's reader.
		 * @param runtime the worker's runtime
		 * @return the transport
		 */
		static Transport mainChannel(WorkerRuntime runtime) {
			return new Transport() {

				@Override
				public CompletableFuture<JsonNode> ask(Action action, JsonNode body, Duration timeout) {
					return runtime.request(action, body, timeout);
				}

				@Override
				public CompletableFuture<?> change(Action action, JsonNode body, Duration timeout) {
					return runtime.request(action, body, timeout);
				}

			};
		}

	}

	/**
	 * Waits for what the master answers, as a servlet request does.
	 * @param <T> the answer's type
	 * @param answer the answer
	 * @return its value
	 * @throws IllegalStateException if the master refused the request or did not answer
	 */
	static <T> T await(CompletableFuture<T> answer) {
		try {
			return answer.join();
		}
		catch (CompletionException ex) {
			throw (ex.getCause() instanceof RuntimeException cause) ? cause : ex;
		}
	}

}
