package io.bootcluster.worker;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Where a worker stands in its cluster: its slot, and, for a standby, whether the master
 * has activated it. The activation is completed once, on the channel's reader thread; the
 * slot and the context are volatile.
 */
final class WorkerPlace {

	private final boolean standby;

	// Completed once; what waits for it may register before or after
	private final CompletableFuture<Void> activated = new CompletableFuture<>();

	// Set by the master's environment, or, for a standby, when it takes a slot over
	private volatile int slot;

	private volatile @Nullable ConfigurableApplicationContext context;

	WorkerPlace(boolean standby, int slot) {
		this.standby = standby;
		this.slot = slot;
	}

	int slot() {
		return this.slot;
	}

	boolean isStandby() {
		return this.standby;
	}

	boolean isWaitingToServe() {
		return this.standby && !this.activated.isDone();
	}

	void onActivation(Runnable activation) {
		this.activated.thenRun(activation);
	}

	void attach(ConfigurableApplicationContext context) {
		this.context = context;
	}

	// A standby learns its slot when it takes one over: from then on the environment says
	// so too, for what reads cluster.worker.slot later
	void activate(int slot) {
		this.slot = slot;
		ConfigurableApplicationContext context = this.context;
		if (context != null) {
			context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("clusterWorkerSlot", Map.of("cluster.worker.slot", slot)));
		}
		this.activated.complete(null);
	}

}
