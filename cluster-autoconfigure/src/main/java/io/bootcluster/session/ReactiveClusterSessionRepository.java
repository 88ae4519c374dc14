package io.bootcluster.session;

import java.time.Duration;

import io.bootcluster.worker.WorkerRuntime;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.session.ReactiveSessionRepository;
import org.springframework.util.unit.DataSize;

/**
 * Spring Session's repository for reactive applications in a cluster: every worker finds
 * every session, because the master keeps them all. Nothing blocks: each operation
 * completes when the master's answer arrives. Thread-safe.
 */
public final class ReactiveClusterSessionRepository implements ReactiveSessionRepository<ClusterSession> {

	private final MasterSessionClient client;

	/**
	 * Creates a repository.
	 * @param runtime the worker's runtime, whose channel reaches the master
	 * @param classLoader loads the classes of attributes' values
	 * @param maxInactiveInterval how long a new session lives unused
	 * @param maxSessionSize how much one session may take, serialized
	 */
	public ReactiveClusterSessionRepository(WorkerRuntime runtime, ClassLoader classLoader, Duration maxInactiveInterval,
			DataSize maxSessionSize) {
		// Nothing blocks: the answer arrives on the main channel's reader
		this(new MasterSessionClient(MasterSessionClient.Transport.mainChannel(runtime), null,
				runtime::isWaitingToServe, classLoader, maxInactiveInterval, maxSessionSize.toBytes()));
	}

	ReactiveClusterSessionRepository(MasterSessionClient client) {
		this.client = client;
	}

	@Override
	public Mono<ClusterSession> createSession() {
		return Mono.fromSupplier(this.client::create);
	}

	// The master's answers complete on the worker's channel reader: the application's
	// code that follows runs on Reactor's threads instead
	@Override
	public Mono<Void> save(ClusterSession session) {
		return Mono.defer(() -> Mono.fromFuture(this.client.save(session))).publishOn(Schedulers.parallel());
	}

	@Override
	public Mono<ClusterSession> findById(String id) {
		return Mono.defer(() -> Mono.fromFuture(this.client.find(id))).publishOn(Schedulers.parallel());
	}

	@Override
	public Mono<Void> deleteById(String id) {
		return Mono.defer(() -> Mono.fromFuture(this.client.delete(id))).publishOn(Schedulers.parallel());
	}

}
