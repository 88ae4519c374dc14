package io.bootcluster.master;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.PendingRequests;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the master does for the cluster's operators, whether they reach it through a
 * worker's {@code /actuator/cluster} or the master's own management port: report the
 * cluster's status, restart, scale, stop one worker, and gather every worker's metrics.
 * Runs on the supervisor's thread.
 */
final class MasterRequests {

	private static final Log logger = LogFactory.getLog(MasterRequests.class);

	/** How long a worker gets to send its meters. */
	private static final Duration METRICS_TIMEOUT = Duration.ofSeconds(2);

	// Room a reply's envelope takes beside the meters
	private static final int FRAME_OVERHEAD = 1024;

	private final Supervisor supervisor;

	private final int maxFrameSize;

	private final AtomicBoolean warnedOversized = new AtomicBoolean();

	private final PendingRequests toWorkers = new PendingRequests();

	// Which worker each request of the master's went to: only that worker may answer it
	private final Map<Long, Connection> askedOf = new ConcurrentHashMap<>();

	MasterRequests(Supervisor supervisor, int maxFrameSize) {
		this.supervisor = supervisor;
		this.maxFrameSize = maxFrameSize;
	}

	/**
	 * Runs an operator's action.
	 * @param action the action; {@link Action#METRICS} is gathered from the workers
	 * instead, see {@link #handle}
	 * @param body the action's input: {@code {"workers": n}} to scale, {@code {"worker":
	 * id}} to stop
	 * @return what was done
	 * @throws IllegalArgumentException if the action or its input is not valid now
	 */
	JsonNode execute(Action action, @Nullable JsonNode body) {
		ObjectNode result = FrameCodec.mapper().createObjectNode().put("action", action.wireName());
		switch (action) {
			case STATUS -> {
				return FrameCodec.mapper().valueToTree(this.supervisor.status());
			}
			case RESTART -> result.set("workers", FrameCodec.mapper().valueToTree(this.supervisor.restart()));
			case SCALE -> {
				int workers = requiredInt(body, "workers");
				result.put("from", this.supervisor.scale(workers)).put("to", workers);
			}
			case STOP -> {
				int worker = requiredInt(body, "worker");
				this.supervisor.stopWorker(worker);
				result.put("worker", worker);
			}
			case METRICS -> throw new IllegalArgumentException("'metrics' is gathered from the workers");
			case SESSION_FIND, SESSION_SAVE, SESSION_DELETE ->
				throw new IllegalArgumentException("'" + action.wireName() + "' is a worker's, for its sessions");
		}
		return result;
	}

	/**
	 * Answers a worker's request.
	 * @param from the worker's connection
	 * @param request the request
	 */
	void handle(Connection from, Message.Request request) {
		Action action = Action.of(request.action());
		if (action == Action.METRICS) {
			gatherMetrics(from, request);
			return;
		}
		try {
			if (action == null) {
				throw new IllegalArgumentException("Unknown action '" + request.action() + "'");
			}
			from.trySend(new Message.Reply(request.id(), null, execute(action, request.body())));
		}
		catch (IllegalArgumentException ex) {
			from.trySend(new Message.Reply(request.id(), ex.getMessage(), null));
		}
	}

	/**
	 * Completes the master's own request that a worker answered, if it was asked of that
	 * worker: another worker cannot answer in its place.
	 * @param from the connection the reply came on
	 * @param reply the worker's reply
	 */
	void complete(Connection from, Message.Reply reply) {
		Connection asked = this.askedOf.get(reply.id());
		if (asked == null) {
			return;
		}
		if (asked != from) {
			logger.warn("Ignored an answer to request " + reply.id() + " from a worker it was not asked of");
			return;
		}
		this.toWorkers.complete(reply);
	}

	// Every other listening worker's meters, by worker id; a worker that does not answer
	// in time is left out rather than holding up the scrape. As many as fit in one frame
	// go in the reply, the others' ids under "more", for the asker to ask again
	private void gatherMetrics(Connection from, Message.Request request) {
		Set<Integer> wanted = requestedWorkers(request.body());
		Map<Integer, CompletableFuture<JsonNode>> replies = new LinkedHashMap<>();
		this.supervisor.listeningConnections().forEach((id, connection) -> {
			if (connection != from && (wanted == null || wanted.contains(id))) {
				replies.put(id, ask(connection, Action.METRICS, NullNode.getInstance(), METRICS_TIMEOUT));
			}
		});
		CompletableFuture<?>[] all = replies.values()
			.stream()
			.map((reply) -> reply.handle((result, failure) -> null))
			.toArray(CompletableFuture[]::new);
		CompletableFuture.allOf(all)
			.whenComplete((ignored, failure) -> from.trySend(new Message.Reply(request.id(), null, fitted(replies))));
	}

	/**
	 * Asks a worker to do something for the master.
	 * @param worker the worker's connection
	 * @param action the action
	 * @param body its input
	 * @param timeout how long the worker has to answer
	 * @return the worker's answer, completed exceptionally with its error or on timeout
	 */
	CompletableFuture<JsonNode> ask(Connection worker, Action action, JsonNode body, Duration timeout) {
		PendingRequests.Pending pending = this.toWorkers.create(action.wireName(), body, timeout);
		long requestId = pending.request().id();
		this.askedOf.put(requestId, worker);
		pending.reply().whenComplete((result, failure) -> this.askedOf.remove(requestId));
		worker.trySend(pending.request());
		return pending.reply();
	}

	private static @Nullable Set<Integer> requestedWorkers(@Nullable JsonNode body) {
		JsonNode workers = (body != null) ? body.get("workers") : null;
		if (workers == null || !workers.isArray()) {
			return null;
		}
		Set<Integer> ids = new HashSet<>();
		workers.forEach((id) -> ids.add(id.asInt()));
		return ids;
	}

	private ObjectNode fitted(Map<Integer, CompletableFuture<JsonNode>> replies) {
		ObjectNode body = FrameCodec.mapper().createObjectNode();
		ObjectNode meters = body.putObject("meters");
		ArrayNode more = body.putArray("more");
		long room = this.maxFrameSize - FRAME_OVERHEAD;
		for (Map.Entry<Integer, CompletableFuture<JsonNode>> reply : replies.entrySet()) {
			CompletableFuture<JsonNode> future = reply.getValue();
			if (!future.isDone() || future.isCompletedExceptionally()) {
				continue;
			}
			long size = FrameCodec.mapper().writeValueAsBytes(future.join()).length + 16;
			if (size > this.maxFrameSize - FRAME_OVERHEAD) {
				if (this.warnedOversized.compareAndSet(false, true)) {
					logger.warn("Worker " + reply.getKey() + "'s meters take " + size + " bytes, more than a frame holds "
							+ "(" + this.maxFrameSize + "): they are left out of other workers' metrics. Raise "
							+ "cluster.ipc.max-frame-size");
				}
			}
			else if (size <= room) {
				meters.set(Integer.toString(reply.getKey()), future.join());
				room -= size;
			}
			else {
				more.add(reply.getKey());
			}
		}
		return body;
	}

	private static int requiredInt(@Nullable JsonNode body, String field) {
		JsonNode value = (body != null) ? body.get(field) : null;
		if (value == null || !value.canConvertToInt()) {
			throw new IllegalArgumentException("'" + field + "' must be a whole number");
		}
		return value.asInt();
	}

}
