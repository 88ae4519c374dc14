package io.bootcluster;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster stopped as a whole (Ctrl-Z stops the terminal's process group; so does
 * {@code docker pause}) for longer than the heartbeat timeout comes back whole: no worker
 * is taken for hung because the master could not hear it while nobody ran.
 */
class PauseIT {

	@Test
	void aClusterStoppedLongerThanTheHeartbeatTimeoutComesBackWhole() throws IOException {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port,
				"--cluster.workers=2", "--cluster.worker.heartbeat-timeout=2s")) {
			master.awaitLines("EVENT listening worker=\\d+", 2, Duration.ofSeconds(90));
			List<Long> pids = new ArrayList<>();
			pids.add(master.pid());
			master.descendants().forEach((worker) -> pids.add(worker.pid()));
			assertThat(pids).hasSize(3);
			pids.forEach((pid) -> Processes.signal(pid, "STOP"));
			Processes.sleep(Duration.ofSeconds(6));
			pids.forEach((pid) -> Processes.signal(pid, "CONT"));
			master.awaitLine("The master did not run for \\d+s: every worker gets a whole heartbeat timeout",
					Duration.ofSeconds(10));
			// Two heartbeat timeouts after the stop: a worker judged hung would be dying now
			Processes.sleep(Duration.ofSeconds(4));
			assertThat(master.linesMatching("sent no heartbeat|died unexpectedly|^EVENT exit")).isEmpty();
			Set<Integer> serving = new HashSet<>();
			for (int i = 0; i < 60 && serving.size() < 2; i++) {
				serving.add(Http.get(port, "/").worker());
			}
			assertThat(serving).containsExactlyInAnyOrder(1, 2);
		}
	}

}
