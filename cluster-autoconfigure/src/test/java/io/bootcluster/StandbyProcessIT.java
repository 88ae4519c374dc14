package io.bootcluster;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.ListeningSockets;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A standby worker waits, started but not serving, and takes over the moment a worker
 * dies: it only has to start its web server, long before a new worker could boot.
 */
class StandbyProcessIT {

	@Test
	void standbyTakesOverFromAKilledWorkerAndIsReplenished() throws IOException {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port,
				"--cluster.workers=2", "--cluster.standby-workers=1",
				"--management.endpoints.web.exposure.include=cluster,metrics")) {
			master.awaitLines("EVENT listening worker=\\d+", 2, Duration.ofSeconds(90));
			master.awaitLine("Standby worker 3 \\(pid \\d+\\) is ready to take over", Duration.ofSeconds(90));
			List<String> startup = master.lines();
			assertThat(indexOf(startup, "EVENT fork worker=3 "))
				.as("the standby starts once the workers listen, not competing with their start")
				.isGreaterThan(indexOf(startup, "EVENT listening worker=1 "))
				.isGreaterThan(indexOf(startup, "EVENT listening worker=2 "));
			JsonNode standby = worker(Http.get(port, "/actuator/cluster").json(), 3);
			assertThat(standby.get("standby").asBoolean()).isTrue();
			assertThat(standby.get("state").asString()).isEqualTo("online");
			// It served itself requests on a private port, which is closed again
			assertThat(master.linesMatching("^\\[worker 3\\] .*served itself 300 requests on a private port"))
				.hasSize(1);
			assertThat(ListeningSockets.listensOnAnyPort(standby.get("pid").asLong())).isFalse();
			Set<Integer> serving = new HashSet<>();
			for (int i = 0; i < 40; i++) {
				serving.add(Http.get(port, "/").worker());
			}
			assertThat(serving).containsExactlyInAnyOrder(1, 2);
			// Each serving worker runs a death sentinel, the standby none
			long worker1 = worker(Http.get(port, "/actuator/cluster").json(), 1).get("pid").asLong();
			ProcessHandle sentinel1 = awaitSentinel(worker1);
			assertThat(sentinels(standby.get("pid").asLong())).isEmpty();

			ProcessHandle.of(worker1).orElseThrow().destroyForcibly();
			master.awaitLine("Worker 1 \\(pid " + worker1 + "\\) is dying: its death sentinel ended",
					Duration.ofSeconds(10));
			master.awaitLine("Standby worker 3 takes over the slot at once", Duration.ofSeconds(10));
			master.awaitLine("EVENT listening worker=3 ", Duration.ofSeconds(30));
			master.awaitLine("Standby worker 4 \\(pid \\d+\\) is ready to take over", Duration.ofSeconds(90));
			List<String> lines = master.lines();
			assertThat(indexOf(lines, "EVENT listening worker=3 "))
				.as("the standby serves before a new worker could have booted")
				.isLessThan(indexOf(lines, "Standby worker 4 "));
			assertThat(indexOf(lines, "EVENT fork worker=4 "))
				.as("the next standby is forked once the takeover serves, not competing with it")
				.isGreaterThan(indexOf(lines, "EVENT listening worker=3 "));
			serving.clear();
			for (int i = 0; i < 60 && serving.size() < 2; i++) {
				serving.add(Http.get(port, "/").worker());
			}
			assertThat(serving).containsExactlyInAnyOrder(2, 3);
			// Its own requests are not traffic: neither counted nor measured
			Processes.sleep(Duration.ofSeconds(2));
			assertThat(worker(Http.get(port, "/actuator/cluster").json(), 3).get("requests").asLong())
				.isLessThan(100);
			Http.Response notFound = Http.get(port, "/actuator/metrics/http.server.requests?tag=status:404");
			assertThat(notFound.status()).as(notFound.body()).isEqualTo(404);
			assertThat(sentinel1.isAlive()).as("the sentinel died with its worker").isFalse();

			// A sentinel that dies alone is no worker's death: nobody takes over
			long worker2 = worker(Http.get(port, "/actuator/cluster").json(), 2).get("pid").asLong();
			awaitSentinel(worker2).destroyForcibly();
			master.awaitLine("The death sentinel of worker 2 \\(pid " + worker2 + "\\) ended while it runs",
					Duration.ofSeconds(10));
			// The status is taken on the master's loop after the sentinel's end was handled there
			JsonNode after = Http.get(port, "/actuator/cluster").json();
			assertThat(master.linesMatching("Standby worker 4 takes over")).isEmpty();
			assertThat(worker(after, 4).get("standby").asBoolean()).isTrue();
			assertThat(worker(after, 2).get("state").asString()).isEqualTo("listening");

			List<ProcessHandle> processes = master.descendants();
			assertThat(master.process().children()).hasSize(3);
			master.terminate();
			assertThat(master.awaitExit(Duration.ofSeconds(40))).isZero();
			// A sentinel is killed as its worker's last threads end, and reaped by init
			Processes.awaitGone(processes, Duration.ofSeconds(5));
			assertThat(processes).as("workers and sentinels").noneMatch(ProcessHandle::isAlive);
		}
	}

	// A serving worker's sentinel starts once the worker serves: a moment after it listens
	private static ProcessHandle awaitSentinel(long worker) {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		List<ProcessHandle> sentinels = sentinels(worker);
		while (sentinels.isEmpty() && System.nanoTime() < deadline) {
			Processes.sleep(Duration.ofMillis(50));
			sentinels = sentinels(worker);
		}
		assertThat(sentinels).as("the death sentinel of pid " + worker).hasSize(1);
		return sentinels.get(0);
	}

	private static List<ProcessHandle> sentinels(long worker) {
		return ProcessHandle.of(worker)
			.orElseThrow()
			.children()
			.filter((child) -> Processes.commandLineOf(child.pid()).contains("infinity"))
			.toList();
	}

	private static JsonNode worker(JsonNode status, int id) {
		for (JsonNode worker : status.get("workers")) {
			if (worker.get("id").asInt() == id) {
				return worker;
			}
		}
		throw new AssertionError("No worker " + id + " in " + status);
	}

	private static int indexOf(List<String> lines, String start) {
		for (int i = 0; i < lines.size(); i++) {
			if (lines.get(i).contains(start)) {
				return i;
			}
		}
		throw new AssertionError("No line with " + start);
	}

}
