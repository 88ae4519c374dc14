package io.bootcluster.actuate;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.bootcluster.ClusterStatus;
import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.PendingRequests;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * {@code /actuator/cluster}: the whole cluster, as the master sees it, from whichever
 * worker answers. Reading is allowed by default; restarting, scaling and stopping a worker
 * need {@code management.endpoint.cluster.access=unrestricted}. When the master cannot be
 * asked, it answers {@code 503} with the reason, never a server error: the reason is logged
 * once, and again only after the master has answered in between.
 */
@WebEndpoint(id = "cluster", defaultAccess = Access.READ_ONLY)
public class ClusterEndpoint {

	private static final Log logger = LogFactory.getLog(ClusterEndpoint.class);

	private final MasterClient master;

	private final AtomicBoolean failing = new AtomicBoolean();

	public ClusterEndpoint(MasterClient master) {
		this.master = master;
	}

	@ReadOperation
	public WebEndpointResponse<Object> cluster() {
		try {
			ClusterStatus status = this.master.status();
			this.failing.set(false);
			return new WebEndpointResponse<>(status);
		}
		catch (RuntimeException | LinkageError ex) {
			return unavailable(ex);
		}
	}

	/**
	 * Restarts every worker, one at a time ({@code {"action": "restart"}}), or grows or
	 * shrinks the cluster ({@code {"action": "scale", "workers": 3}}).
	 * @param action {@code restart} or {@code scale}
	 * @param workers the number of workers to scale to
	 * @return what the master did, or why it did nothing
	 */
	@WriteOperation
	public WebEndpointResponse<Map<String, Object>> command(String action, @Nullable Integer workers) {
		Action command;
		try {
			command = Action.command(action);
		}
		catch (IllegalArgumentException ex) {
			return badRequest(ex.getMessage());
		}
		ObjectNode body = FrameCodec.mapper().createObjectNode();
		if (command == Action.SCALE) {
			if (workers == null) {
				return badRequest("'scale' needs 'workers', the number of workers to scale to");
			}
			body.put("workers", workers);
		}
		return ask(command, body);
	}

	/**
	 * Stops one worker gracefully; the master replaces it.
	 * @param id the worker's id
	 * @return what the master did, or why it did nothing
	 */
	@DeleteOperation
	public WebEndpointResponse<Map<String, Object>> stopWorker(@Selector int id) {
		return ask(Action.STOP, FrameCodec.mapper().createObjectNode().put("worker", id));
	}

	private WebEndpointResponse<Map<String, Object>> ask(Action action, JsonNode body) {
		try {
			WebEndpointResponse<Map<String, Object>> answer = new WebEndpointResponse<>(
					toMap(this.master.ask(action, body)));
			this.failing.set(false);
			return answer;
		}
		catch (PendingRequests.RequestRejectedException ex) {
			return badRequest(ex.getMessage());
		}
		catch (RuntimeException | LinkageError ex) {
			return unavailable(ex);
		}
	}

	// A LinkageError too: on a Boot release the starter does not support, a missing method
	// is the starter's failure, not the application's
	private <T> WebEndpointResponse<T> unavailable(Throwable ex) {
		String reason = "Could not ask the cluster's master: " + ex;
		if (this.failing.compareAndSet(false, true)) {
			logger.warn(reason, ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(reason, ex);
		}
		@SuppressWarnings("unchecked")
		T body = (T) Map.of("error", reason);
		return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> toMap(JsonNode node) {
		return FrameCodec.mapper().convertValue(node, Map.class);
	}

	private static WebEndpointResponse<Map<String, Object>> badRequest(String message) {
		return new WebEndpointResponse<>(Map.of("error", message), WebEndpointResponse.STATUS_BAD_REQUEST);
	}

}
