package io.bootcluster.master;

import java.util.Comparator;
import java.util.function.Consumer;

import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Which worker leads the cluster: at most one at any moment. The leader is the oldest
 * worker that has started (it has been listening and ready; not a standby, not asked to
 * go). A leader that reports itself not ready for a while keeps leading: readiness is about
 * traffic, not about the leader's work. When it stops
 * being one (it dies, hangs and is killed, is asked to go, or loses its channel), its
 * leadership is revoked first, and granted to another worker only once the old leader
 * says it released it, or once its process is gone. Owned by the supervisor's loop.
 */
final class Leadership {

	private static final Log logger = LogFactory.getLog(Leadership.class);

	private final WorkerTable workers;

	private final Consumer<WorkerProcess> granted;

	private final Consumer<WorkerProcess> revoked;

	private @Nullable WorkerProcess leader;

	// A leader whose leadership was revoked and that may still act as one
	private @Nullable WorkerProcess releasing;

	Leadership(WorkerTable workers, Consumer<WorkerProcess> granted, Consumer<WorkerProcess> revoked) {
		this.workers = workers;
		this.granted = granted;
		this.revoked = revoked;
	}

	/**
	 * The leader.
	 * @return its id, or 0 while none leads
	 */
	int leaderId() {
		WorkerProcess leader = this.leader;
		return (leader != null) ? leader.id : 0;
	}

	/**
	 * Takes note of a change in the cluster: revokes a leader that no longer may lead, and
	 * grants leadership when none leads and none is being released.
	 */
	void update() {
		WorkerProcess leader = this.leader;
		if (leader != null && !mayLead(leader)) {
			revoke(leader);
		}
		if (this.leader != null || this.releasing != null) {
			return;
		}
		WorkerProcess candidate = this.workers.all()
			.stream()
			.filter(Leadership::mayLead)
			.min(Comparator.comparing((WorkerProcess worker) -> worker.startedAt).thenComparing((worker) -> worker.id))
			.orElse(null);
		if (candidate != null) {
			this.leader = candidate;
			logger.info(candidate + " leads the cluster");
			announce();
			this.granted.accept(candidate);
		}
	}

	/**
	 * The worker that led says it acts as the leader no more.
	 * @param worker the worker
	 */
	void released(WorkerProcess worker) {
		if (this.releasing == worker) {
			this.releasing = null;
			update();
		}
	}

	/**
	 * A worker's process is gone: whatever it did as the leader has ended with it.
	 * @param worker the worker
	 */
	void gone(WorkerProcess worker) {
		if (this.leader == worker) {
			revoke(worker);
		}
		if (this.releasing == worker) {
			this.releasing = null;
		}
		update();
	}

	/**
	 * Tells a worker that just joined which worker leads.
	 * @param connection its connection
	 */
	void tell(Connection connection) {
		connection.trySend(new Message.Leader(leaderId()));
	}

	private void revoke(WorkerProcess leader) {
		this.leader = null;
		// Until it says so, or its process is gone, it may still run what a leader runs; a
		// worker whose channel closed drops leadership at once and exits within seconds
		this.releasing = leader.life.isDead() ? null : leader;
		logger.info(leader + " no longer leads the cluster");
		announce();
		this.revoked.accept(leader);
	}

	private void announce() {
		Message.Leader message = new Message.Leader(leaderId());
		for (WorkerProcess worker : this.workers.all()) {
			Connection connection = worker.connection();
			if (connection != null && worker.life.isConnected()) {
				connection.trySend(message);
			}
		}
	}

	private static boolean mayLead(WorkerProcess worker) {
		return worker.life.phase() == WorkerLife.Phase.SERVING && !worker.life.isLeaving()
				&& !worker.life.isStandby() && worker.killedBecause == null;
	}

}
