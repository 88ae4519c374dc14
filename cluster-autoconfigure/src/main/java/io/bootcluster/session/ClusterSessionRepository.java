package io.bootcluster.session;

import java.time.Duration;

import io.bootcluster.worker.WorkerRuntime;
import org.jspecify.annotations.Nullable;

import org.springframework.session.SessionRepository;
import org.springframework.util.unit.DataSize;

/**
 * Spring Session's repository for servlet applications in a cluster: every worker finds
 * every session, because the master keeps them all. A request whose session this worker
 * used last asks the master nothing, and its changes wake no thread of the master's
 * ({@link SessionCopies}): that is a client on a kept-alive connection. Any other asks
 * the master once to find its session. Thread-safe.
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
		// The request's thread waits for the answer: it reads it too. The copies take at
		// most a sixteenth of the heap
		this(new MasterSessionClient(new AttachedConnections(runtime),
				new SessionCopies(runtime::attachQuiet, Runtime.getRuntime().maxMemory() / 16),
				runtime::isWaitingToServe, classLoader, maxInactiveInterval, maxSessionSize.toBytes()));
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
