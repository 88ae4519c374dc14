package io.bootcluster;

import java.time.Duration;

import io.bootcluster.chaos.ChaosRun;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A short chaos run: 20 seconds of random faults under load, then the checks, then the master
 * killed while it starts, during a rolling restart and during a training run. {@code benchmarks/chaos.sh} runs the long one.
 */
class ChaosIT {

	@Test
	void clusterSurvivesTwentySecondsOfRandomFaults() throws Exception {
		ChaosRun.Result result = new ChaosRun(Long.getLong("chaos.seed", 20261201), Duration.ofSeconds(20), 3,
				System.out::println)
			.run();
		System.out.println(result.refusedLine());
		System.out.println(result.line());
		assertThat(result.problems()).isEmpty();
		assertThat(result.faults()).isGreaterThan(3);
		assertThat(result.orphans()).isZero();
		assertThat(result.failed()).isEqualTo(result.inFlightOnKilled());
	}

}
