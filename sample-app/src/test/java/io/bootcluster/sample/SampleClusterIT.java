package io.bootcluster.sample;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.ListeningSockets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's executable jar, run the way a user runs it: {@code java -jar}.
 */
class SampleClusterIT {

	private static final Path JAR = Path.of("target", "sample-app.jar");

	@Test
	void javaDashJarRunsAMasterAndWorkersOnOnePortThenStopsCleanlyOnSigterm() throws IOException {
		int port = ClusterProcess.freePort();
		int masterPort = ClusterProcess.freePort();
		try (ClusterProcess master = ClusterProcess.startJar(JAR, "--server.port=" + port, "--cluster.workers=2",
				"--cluster.master.management-port=" + masterPort)) {
			master.awaitLines("Worker \\d+ \\(pid \\d+\\) is listening on .*:" + port, 2, Duration.ofSeconds(120));
			Set<Long> pids = new HashSet<>();
			Set<Long> workerIds = new HashSet<>();
			for (int i = 0; i < 60 && pids.size() < 2; i++) {
				Http.Response response = Http.get(port, "/");
				assertThat(response.status()).isEqualTo(200);
				pids.add(response.pid());
				workerIds.add((long) response.worker());
			}
			assertThat(pids).hasSize(2).doesNotContain(master.pid());
			assertThat(workerIds).containsExactlyInAnyOrder(1L, 2L);
			assertThat(ListeningSockets.listens(master.pid(), port)).isFalse();
			assertThat(Http.get(port, "/actuator/health").body()).contains("\"status\":\"UP\"");
			assertThat(Http.get(masterPort, "/actuator/cluster").json().get("masterPid").asLong())
				.isEqualTo(master.pid());
			assertThat(Http.get(port, "/actuator/prometheus").body()).contains("cluster_workers{state=\"listening\"} 2.0");
			assertThat(master.linesMatching("^\\[worker [12]\\] .*Started SampleApplication")).hasSize(2);

			// Messaging between workers: a sum over the cluster, and a cache cleared everywhere
			JsonNode stats = Http.get(port, "/stats").json();
			assertThat(stats.get("byWorker").properties()).hasSize(2);
			assertThat(stats.get("total").asLong()).isGreaterThanOrEqualTo(pids.size());
			int clearer = Http.send("DELETE", port, "/greetings/cache", null).json().get("worker").asInt();
			master.awaitLine("^\\[worker " + (3 - clearer) + "\\] .*Cleared \\d+ cached greetings, as worker " + clearer
					+ " asked", Duration.ofSeconds(10));

			List<ProcessHandle> workers = master.descendants();
			master.terminate();
			assertThat(master.awaitExit(Duration.ofSeconds(40))).isZero();
			assertThat(workers).hasSize(2).noneMatch(ProcessHandle::isAlive);
			assertThat(master.linesMatching("Worker [12] exited with code 0")).hasSize(2);
			assertThat(Http.accepts(port)).isFalse();
		}
	}

}
