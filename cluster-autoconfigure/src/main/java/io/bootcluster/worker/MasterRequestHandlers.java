package io.bootcluster.worker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.JsonNode;

/**
 * How a worker answers the master's requests (a metrics snapshot, say): one handler per
 * action, run one at a time on a thread of their own ({@code cluster-requests}), off the
 * channel's reader. The handlers' map is concurrent.
 */
final class MasterRequestHandlers {

	private static final Log logger = LogFactory.getLog(MasterRequestHandlers.class);

	private final int id;

	private final MasterLink link;

	private final Map<String, Function<JsonNode, JsonNode>> handlers = new ConcurrentHashMap<>();

	private final ExecutorService executor = Executors
		.newSingleThreadExecutor(DaemonThreads.factory("cluster-requests"));

	MasterRequestHandlers(int id, MasterLink link) {
		this.id = id;
		this.link = link;
	}

	void register(Action action, Function<JsonNode, JsonNode> handler) {
		this.handlers.put(action.wireName(), handler);
	}

	/**
	 * Answers a request, later, on the requests' thread.
	 * @param request the master's request
	 */
	void answer(Message.Request request) {
		this.executor.execute(() -> this.link.trySend(reply(request)));
	}

	private Message.Reply reply(Message.Request request) {
		Function<JsonNode, JsonNode> handler = this.handlers.get(request.action());
		if (handler == null) {
			return new Message.Reply(request.id(), "Worker " + this.id + " has no handler for " + request.action(),
					null);
		}
		try {
			return new Message.Reply(request.id(), null, handler.apply(request.body()));
		}
		catch (RuntimeException ex) {
			logger.warn("Could not answer the master's " + request.action() + " request", ex);
			return new Message.Reply(request.id(), String.valueOf(ex.getMessage()), null);
		}
	}

}
