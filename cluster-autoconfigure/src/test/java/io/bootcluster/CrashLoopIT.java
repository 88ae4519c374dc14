package io.bootcluster;

import java.time.Duration;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.testapp.failing.FailingApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker that cannot start is retried with a growing delay, then given up: a broken
 * build never turns into a fork storm.
 */
class CrashLoopIT {

	@Test
	void workerThatFailsAtStartupIsRetriedWithBackoffThenGivenUp() {
		try (ClusterProcess master = ClusterProcess.startClass(FailingApplication.class, "--cluster.workers=1",
				"--spring.main.web-application-type=none", "--cluster.restart.max-crashes=3",
				"--cluster.restart.initial-backoff=300ms", "--cluster.restart.backoff-multiplier=2")) {
			assertThat(master.awaitExit(Duration.ofSeconds(90))).isEqualTo(1);
			assertThat(master.linesMatching("^EVENT fork ")).hasSize(3);
			assertThat(master.linesMatching("^EVENT exit .*exitedAfterDisconnect=false exit=1/null")).hasSize(3);
			assertThat(master.linesMatching("Replacing it in")).satisfiesExactly(
					(line) -> assertThat(line).contains("Replacing it in 300 ms (crash 1 of at most 3 in a row)"),
					(line) -> assertThat(line).contains("Replacing it in 600 ms (crash 2 of at most 3 in a row)"));
			assertThat(master.linesMatching("crashed 3 times in a row .* will not be respawned")).hasSize(1);
			assertThat(master.linesMatching("\\[worker \\d+\\] .*this build is broken")).isNotEmpty();
			assertThat(master.descendants()).isEmpty();
		}
	}

}
