package io.bootcluster.worker;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.bootcluster.ClusterLeadership;
import io.bootcluster.LeadershipGrantedEvent;
import io.bootcluster.LeadershipRevokedEvent;
import io.bootcluster.internal.ipc.DaemonThreads;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * A worker's side of the cluster's leadership: the leader the master announced, the
 * leader's tasks running here, and the events. When this worker's leadership is revoked it
 * starts no more of the leader's tasks, lets those running end, then tells the master, which
 * only then grants it to another worker. The leader's id is written by the channel's reader;
 * events and the release run on a thread of their own, in order.
 */
final class WorkerLeadership implements ClusterLeadership {

	private static final Log logger = LogFactory.getLog(WorkerLeadership.class);

	private static final Duration SLOW_RELEASE = Duration.ofSeconds(5);

	private final int id;

	private final Runnable release;

	private final ExecutorService events = Executors
		.newSingleThreadExecutor(DaemonThreads.factory("cluster-leadership"));

	private final AtomicInteger running = new AtomicInteger();

	private volatile int leader;

	private volatile @Nullable Consumer<ApplicationEvent> publisher;

	/**
	 * Creates the worker's leadership.
	 * @param id the worker's id
	 * @param release tells the master that this worker acts as the leader no more
	 */
	WorkerLeadership(int id, Runnable release) {
		this.id = id;
		this.release = release;
	}

	@Override
	public boolean isLeader() {
		return this.leader == this.id;
	}

	@Override
	public OptionalInt leader() {
		int leader = this.leader;
		return (leader > 0) ? OptionalInt.of(leader) : OptionalInt.empty();
	}

	/**
	 * Publishes the leadership's events to the application from now on.
	 * @param publisher the application's publisher
	 */
	void publishTo(Consumer<ApplicationEvent> publisher) {
		this.publisher = publisher;
	}

	/**
	 * The master announced which worker leads.
	 * @param leader its id, or 0 for none
	 */
	void announced(int leader) {
		boolean was = isLeader();
		this.leader = leader;
		if (!was && isLeader()) {
			logger.info("Worker " + this.id + " leads the cluster");
			this.events.execute(() -> publish(new LeadershipGrantedEvent(this)));
		}
		else if (was && !isLeader()) {
			this.events.execute(() -> {
				publish(new LeadershipRevokedEvent(this));
				awaitLeaderTasks();
				this.release.run();
			});
		}
	}

	/**
	 * The channel to the master closed: this worker leads no more, at once.
	 */
	void dropped() {
		boolean was = isLeader();
		this.leader = 0;
		if (was) {
			this.events.execute(() -> publish(new LeadershipRevokedEvent(this)));
		}
	}

	/**
	 * Runs one of the leader's tasks, if this worker leads.
	 * @param task the task
	 */
	void runAsLeader(Runnable task) {
		// Counted before the check: a revocation that follows waits for it
		this.running.incrementAndGet();
		try {
			if (isLeader()) {
				task.run();
			}
		}
		finally {
			this.running.decrementAndGet();
		}
	}

	// A run in progress completes: another worker's run of the same task does not begin
	// before it ends
	private void awaitLeaderTasks() {
		long started = System.nanoTime();
		boolean warned = false;
		while (this.running.get() > 0) {
			if (!warned && System.nanoTime() - started > SLOW_RELEASE.toNanos()) {
				logger.warn("Worker " + this.id + " waits for its scheduled tasks to end before another worker leads");
				warned = true;
			}
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	private void publish(ApplicationEvent event) {
		Consumer<ApplicationEvent> publisher = this.publisher;
		if (publisher != null) {
			try {
				publisher.accept(event);
			}
			catch (RuntimeException ex) {
				logger.error("A listener failed on " + event.getClass().getSimpleName(), ex);
			}
		}
	}

}
