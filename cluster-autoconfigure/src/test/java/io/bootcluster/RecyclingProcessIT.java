package io.bootcluster;

import java.time.Duration;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.KeepAliveLoad;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker that has served {@code cluster.worker.max-requests} is replaced gracefully, its
 * successor first: clients notice nothing.
 */
class RecyclingProcessIT {

	@Test
	void workerIsRecycledAfterMaxRequestsWithoutFailingARequest() {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port,
				"--cluster.workers=1", "--cluster.worker.max-requests=200")) {
			master.awaitLine("EVENT listening worker=1 ", Duration.ofSeconds(90));
			try (KeepAliveLoad load = KeepAliveLoad.start(port, "/ping", 2)) {
				master.awaitLine("\\[worker 1\\] .*Worker 1 asks to be replaced: it served \\d+ requests "
						+ "\\(cluster.worker.max-requests\\)", Duration.ofSeconds(60));
				master.awaitLine("EVENT exit worker=1 .*exitedAfterDisconnect=true exit=0/null", Duration.ofSeconds(90));
				load.awaitMore(50, Duration.ofSeconds(30));
				load.close();
				assertThat(load.failures()).hasSizeLessThanOrEqualTo(KeepAliveLoad.toleratedResets());
			}
			assertThat(master.linesMatching("EVENT listening worker=2 ")).hasSize(1);
			assertThat(master.linesMatching("died unexpectedly")).isEmpty();
		}
	}

}
