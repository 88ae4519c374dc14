package io.bootcluster.worker;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerHealthTests {

	@Test
	void requestLimitAsksForRecycling() {
		WorkerHealth health = new WorkerHealth(options(100, 0), 105);
		assertThat(health.recycleReason(104)).isNull();
		assertThat(health.recycleReason(105)).isEqualTo("it served 105 requests (cluster.worker.max-requests)");
	}

	@Test
	void heapAfterGcAboveTheLimitAsksForRecycling() {
		WorkerHealth health = new WorkerHealth(options(0, 1), 0);
		byte[][] live = new byte[64][];
		for (int i = 0; i < live.length; i++) {
			live[i] = new byte[16 * 1024];
		}
		System.gc();
		assertThat(health.recycleReason(0)).contains("(cluster.worker.max-heap-after-gc)");
		assertThat(live[live.length - 1]).hasSize(16 * 1024);
	}

	@Test
	void noLimitsNoRecycling() {
		assertThat(new WorkerHealth(options(0, 0), 0).recycleReason(1_000_000)).isNull();
	}

	@Test
	void heartbeatCarriesHeapAndRequests() {
		assertThat(new WorkerHealth(options(0, 0), 0).heartbeat(42)).satisfies((beat) -> {
			assertThat(beat.requests()).isEqualTo(42);
			assertThat(beat.heapUsed()).isPositive();
		});
	}

	@Test
	void noDeadlockNoReport() {
		assertThat(new WorkerHealth(options(0, 0), 0).deadlock()).isNull();
	}

	private static WorkerOptions options(long maxRequests, long maxHeapAfterGc) {
		return new WorkerOptions(UncaughtExceptionPolicy.REPLACE, maxRequests, maxHeapAfterGc, Duration.ofSeconds(1));
	}

}
