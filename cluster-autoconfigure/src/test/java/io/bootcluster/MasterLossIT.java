package io.bootcluster;

import java.time.Duration;
import java.util.List;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A master killed with SIGKILL cannot stop its workers: they must notice and exit on their
 * own, or they would keep a share of the port as orphans.
 */
class MasterLossIT {

	@Test
	void workersExitWithinFiveSecondsOfTheirMastersSigkill() throws InterruptedException {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port,
				"--cluster.workers=2")) {
			master.awaitLines("EVENT listening worker=\\d+", 2, Duration.ofSeconds(90));
			List<ProcessHandle> workers = master.descendants();
			assertThat(workers).hasSize(2);
			master.kill();
			Processes.awaitGone(workers, Duration.ofSeconds(5));
			assertThat(workers).noneMatch(ProcessHandle::isAlive);
		}
	}

}
