package io.bootcluster.actuate;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.bootcluster.ClusterStatus;
import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.PendingRequests;
import io.bootcluster.worker.WorkerRuntime;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * Asks the master, through this worker's channel, and waits for the answer.
 */
public class MasterClient {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final WorkerRuntime runtime;

	public MasterClient(WorkerRuntime runtime) {
		this.runtime = runtime;
	}

	/**
	 * The cluster's status, as the master sees it.
	 * @return the status
	 */
	public ClusterStatus status() {
		return status(TIMEOUT);
	}

	/**
	 * The cluster's status, as the master sees it.
	 * @param timeout how long to wait for the master
	 * @return the status
	 */
	public ClusterStatus status(Duration timeout) {
		return FrameCodec.mapper().treeToValue(ask(Action.STATUS, NullNode.getInstance(), timeout), ClusterStatus.class);
	}

	/**
	 * Asks the master and waits.
	 * @param action the action
	 * @param body its input
	 * @return the master's answer
	 * @throws PendingRequests.RequestRejectedException if the master refused the request
	 * @throws IllegalStateException if the master did not answer
	 */
	public JsonNode ask(Action action, JsonNode body) {
		return ask(action, body, TIMEOUT);
	}

	/**
	 * Asks the master and waits.
	 * @param action the action
	 * @param body its input
	 * @param timeout how long to wait
	 * @return the master's answer
	 * @throws PendingRequests.RequestRejectedException if the master refused the request
	 * @throws IllegalStateException if the master did not answer
	 */
	public JsonNode ask(Action action, JsonNode body, Duration timeout) {
		try {
			return this.runtime.request(action, body, timeout).get(timeout.toMillis() + 100, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for the master", ex);
		}
		catch (ExecutionException | CompletionException ex) {
			if (ex.getCause() instanceof PendingRequests.RequestRejectedException rejected) {
				throw rejected;
			}
			throw new IllegalStateException(
					"The master did not answer '" + action.wireName() + "': " + ex.getCause().getMessage(),
					ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException("The master did not answer '" + action.wireName() + "' within "
					+ timeout.toSeconds()
					+ "s", ex);
		}
	}

}
