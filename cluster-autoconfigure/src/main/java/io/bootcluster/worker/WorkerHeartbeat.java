package io.bootcluster.worker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.Message;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A worker's heartbeat, on a thread of its own ({@code cluster-heartbeat}): however busy
 * or stuck the application's threads are, the master hears from the worker, or learns
 * that the JVM itself is stuck. Each beat carries the worker's health and checks whether
 * the worker should be replaced (recycling limits); a worker asks for its replacement once,
 * and again now and then until it is replaced. The requests counter is thread-safe; the
 * replacement's reason is set once, by whichever thread asks first.
 */
final class WorkerHeartbeat {

	private static final Log logger = LogFactory.getLog(WorkerHeartbeat.class);

	/** How often a worker that asked to be replaced asks again. */
	private static final Duration REPLACEMENT_RETRY = Duration.ofSeconds(15);

	private final int id;

	private final MasterLink link;

	private final WorkerOptions options;

	private final WorkerHealth health;

	private final LongAdder requestsServed = new LongAdder();

	private final AtomicReference<@Nullable String> replacementReason = new AtomicReference<>();

	private volatile long replacementAskedAt;

	WorkerHeartbeat(int id, MasterLink link, WorkerOptions options) {
		this.id = id;
		this.link = link;
		this.options = options;
		// Jitter, so that workers started together do not all recycle together
		long jitter = (options.maxRequests() > 0) ? ThreadLocalRandom.current().nextLong(options.maxRequests() / 10 + 1)
				: 0;
		this.health = new WorkerHealth(options, options.maxRequests() + jitter);
	}

	/**
	 * Starts beating, until the worker leaves or the channel closes.
	 * @param leaving whether the worker is leaving
	 */
	void start(BooleanSupplier leaving) {
		DaemonThreads.start("cluster-heartbeat", () -> beat(leaving));
	}

	void countRequest() {
		this.requestsServed.increment();
	}

	/**
	 * Asks the master to replace this worker, once.
	 * @param reason why, for the logs
	 */
	void requestReplacement(String reason) {
		if (!this.replacementReason.compareAndSet(null, reason)) {
			return;
		}
		this.replacementAskedAt = System.nanoTime();
		logger.warn("Worker " + this.id + " asks to be replaced: " + reason);
		this.link.trySend(new Message.ReplaceMe(reason));
	}

	private void beat(BooleanSupplier leaving) {
		while (!leaving.getAsBoolean()) {
			String deadlock = this.health.deadlock();
			if (deadlock != null) {
				logger.error("Threads " + deadlock + " are deadlocked: worker " + this.id
						+ " stops its heartbeats so that the master replaces it");
				return;
			}
			long requests = this.requestsServed.sum();
			if (!this.link.trySend(this.health.heartbeat(requests))) {
				return;
			}
			String recycle = this.health.recycleReason(requests);
			if (recycle != null) {
				requestReplacement(recycle);
			}
			askAgainForReplacement();
			sleep(this.options.heartbeatInterval());
		}
	}

	// Until it is replaced, a worker asks again now and then: its first successor may have
	// failed, or it may have asked before it had started
	private void askAgainForReplacement() {
		String reason = this.replacementReason.get();
		if (reason != null && System.nanoTime() - this.replacementAskedAt > REPLACEMENT_RETRY.toNanos()) {
			this.replacementAskedAt = System.nanoTime();
			this.link.trySend(new Message.ReplaceMe(reason));
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
