package io.bootcluster;

import java.time.Duration;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker that runs but never listens is killed once it makes no progress for the
 * startup timeout, and counts as a crash; one that keeps working on its start is given
 * longer.
 */
class StartupTimeoutIT {

	@Test
	void workerThatNeverListensIsKilledAndCountedAsACrash() {
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--cluster.workers=1",
				"--spring.main.web-application-type=none", "--spring.main.keep-alive=true",
				"--cluster.worker.startup-timeout=2s", "--cluster.restart.max-crashes=2")) {
			assertThat(master.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
			assertThat(master.linesMatching("Killing worker \\d+ \\(pid \\d+\\): it made no progress for 2s"))
				.hasSize(2);
			assertThat(master.linesMatching("^EVENT exit .*exitedAfterDisconnect=false exit=137/SIGKILL")).hasSize(2);
			assertThat(master.descendants()).isEmpty();
		}
	}

	@Test
	void workerWhoseStartKeepsUsingTheCpuOutlastsTheStartupTimeout() {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port,
				"--cluster.workers=1", "--cluster.worker.startup-timeout=2s", "--test.busy-startup=6s")) {
			master.awaitLine("EVENT listening worker=1", Duration.ofSeconds(60));
			assertThat(master.linesMatching("Killing worker")).isEmpty();
			assertThat(master.linesMatching("^EVENT exit")).isEmpty();
		}
	}

}
