package io.bootcluster;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A master whose output nobody reads, as when a terminal is suspended or a log shipper
 * stalls, goes on supervising, and its workers go on serving and logging.
 */
class OutputStallIT {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	@Test
	void masterWhoseOutputNobodyReadsKeepsSupervisingAndWorkersKeepServing() throws Exception {
		int port = Processes.freePort();
		int masterPort = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port,
				"--cluster.workers=2", "--cluster.master.management-port=" + masterPort)) {
			master.awaitLines("EVENT listening worker=\\d+", 2, STARTUP);
			master.pauseOutput();
			long started = System.nanoTime();
			// Far more than a pipe and the master's budget hold, from both workers
			Set<Long> printed = new HashSet<>();
			for (int i = 0; i < 12; i++) {
				Http.Response response = Http.get(port, "/print/1024");
				assertThat(response.status()).isEqualTo(200);
				printed.add(response.pid());
			}
			assertThat(printed).hasSize(2);
			// A worker dies: the master replaces it, all the while nobody reads its output
			long killed = printed.iterator().next();
			ProcessHandle.of(killed).orElseThrow().destroyForcibly();
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (!twoListeningWithout(masterPort, killed)) {
				assertThat(System.nanoTime()).as("the replacement listening, in 30 s").isLessThan(deadline);
				Processes.sleep(Duration.ofMillis(200));
			}
			for (int i = 0; i < 20; i++) {
				assertThat(Http.get(port, "/").status()).isEqualTo(200);
			}
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
			master.resumeOutput();
			master.awaitLine("\\[cluster\\] \\d+ lines of output were dropped: nobody read the master's output",
					Duration.ofSeconds(30));
		}
	}

	private static boolean twoListeningWithout(int masterPort, long killed) throws Exception {
		JsonNode workers = Http.get(masterPort, "/actuator/cluster").json().get("workers");
		int listening = 0;
		for (JsonNode worker : workers) {
			if (worker.get("state").asString().equals("listening") && worker.get("pid").asLong() != killed) {
				listening++;
			}
		}
		return listening == 2;
	}

}
