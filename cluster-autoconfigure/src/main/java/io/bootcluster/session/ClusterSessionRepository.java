package io.bootcluster.session;

import java.time.Duration;

import io.bootcluster.worker.WorkerRuntime;
import org.jspecify.annotations.Nullable;

import org.springframework.session.SessionRepository;
import org.springframework.util.unit.DataSize;

/**
 * Spring Session's repository for servlet applications in a cluster: every worker finds
 * every session, because the master keeps them all. A request that reads a session asks
 * the master once; one that changes it, twice. Thread-safe.
 */
public final class ClusterSessionRepository implements SessionRepository<ClusterSession> {

	private final MasterSessionClient client;

	/**
	 * Creates a repository.
	 * @param runtime the worker's runtime, whose channel reaches the master
	 * @param classLoader loads the classes of attributes' values
	 * @param maxInactiveInterval how long a new session lives unused
	 * @param maxSessionSize how much one session may take, serialized
	 */
	public ClusterSessionRepository(WorkerRuntime runtime, ClassLoader classLoader, Duration maxInactiveInterval,
			DataSize maxSessionSize) {
		// The request's thread waits for the answer: it reads it too
		this(new MasterSessionClient(new AttachedConnections(runtime), runtime::isWaitingToServe, classLoader,
				maxInactiveInterval, maxSessionSize.toBytes()));
	}

	ClusterSessionRepository(MasterSessionClient client) {
		this.client = client;
	}

	@Override
	public ClusterSession createSession() {
		return this.client.create();
	}

	@Override
	public void save(ClusterSession session) {
		MasterSessionClient.await(this.client.save(session));
	}

	@Override
	public @Nullable ClusterSession findById(String id) {
		return MasterSessionClient.await(this.client.find(id));
	}

	@Override
	public void deleteById(String id) {
		MasterSessionClient.await(this.client.delete(id));
	}

}
