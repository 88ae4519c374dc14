package io.bootcluster.messaging;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.bootcluster.ClusterMessenger;
import io.bootcluster.ClusterMessagingException;

/**
 * The {@link ClusterMessenger} of an application that runs without a cluster: with
 * {@code cluster.enabled=false}, in a test, or started by something else than a master.
 * Like a master with no worker, it broadcasts to nobody, and has no one to send to or to
 * ask; code that injects a messenger still starts and runs.
 */
public final class StandaloneMessenger implements ClusterMessenger {

	@Override
	public int id() {
		return MASTER;
	}

	@Override
	public List<Integer> workers() {
		return List.of();
	}

	@Override
	public void send(int to, String topic, Object payload) {
		throw unreachable(to, topic);
	}

	@Override
	public void broadcast(String topic, Object payload) {
		// No other process to tell
	}

	@Override
	public <T> CompletableFuture<T> request(int to, String topic, Object payload, Class<T> answerType,
			Duration timeout) {
		return CompletableFuture.failedFuture(unreachable(to, topic));
	}

	private static ClusterMessagingException unreachable(int to, String topic) {
		return new ClusterMessagingException("Cannot send '" + topic + "' to " + ((to == MASTER) ? "the master"
				: "worker " + to) + ": this application runs without a cluster (cluster.enabled=false, a test, or "
				+ "not started by a cluster master), so it has no other process to reach");
	}

}
