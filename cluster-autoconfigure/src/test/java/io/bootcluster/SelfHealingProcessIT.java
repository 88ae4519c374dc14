package io.bootcluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.KeepAliveLoad;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real cluster of two workers that loses no request while it is restarted with every
 * core busy, survives a broken build, and replaces workers that fail, run out of memory or
 * hang. Its startup timeout is short: a start on a busy machine takes longer, and must not
 * count as hung while it makes progress.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SelfHealingProcessIT {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	private static final int CLIENTS = 8;

	private static Path brokenBuild;

	private static int port;

	private static ClusterProcess master;

	@BeforeAll
	static void startCluster() throws IOException {
		brokenBuild = Files.createTempFile("broken-build", ".marker");
		Files.delete(brokenBuild);
		port = Processes.freePort();
		master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port, "--cluster.workers=2",
				"--cluster.worker.heartbeat-timeout=5s", "--cluster.worker.jvm-arguments=-Xmx128m",
				"--cluster.worker.startup-timeout=3s",
				"--cluster.restart.initial-backoff=0s", "--test.fail-startup-when=" + brokenBuild,
				"--management.endpoints.web.exposure.include=cluster",
				"--management.endpoint.cluster.access=unrestricted");
		master.awaitLines("EVENT listening worker=\\d+", 2, STARTUP);
	}

	@AfterAll
	static void stopCluster() throws IOException {
		master.close();
		Files.deleteIfExists(brokenBuild);
	}

	@Test
	@Order(1)
	void rollingRestartOnSighupWithEveryCoreBusyCompletesAndFailsNoRequest() throws IOException {
		Set<Long> before = pids();
		// Paced: the burners keep every core busy, the clients need not add to it
		try (KeepAliveLoad load = KeepAliveLoad.start(port, "/ping", CLIENTS, Duration.ofMillis(3));
				CpuBurners burners = new CpuBurners()) {
			load.awaitMore(300, Duration.ofSeconds(30));
			Processes.signal(master.pid(), "HUP");
			master.awaitLine("Rolling restart done", STARTUP);
			master.awaitLine("EVENT exit worker=2 .*exitedAfterDisconnect=true exit=0/null", Duration.ofSeconds(30));
			load.awaitMore(300, Duration.ofSeconds(30));
			load.close();
			assertThat(load.failures()).hasSizeLessThanOrEqualTo(KeepAliveLoad.toleratedResets());
			assertThat(load.succeeded()).isGreaterThan(600);
			// Each retiring worker closed its keep-alive connections: the clients moved on
			assertThat(load.connections()).isGreaterThan(CLIENTS);
		}
		assertThat(pids()).hasSize(2).doesNotContainAnyElementsOf(before);
		assertThat(master.linesMatching("died unexpectedly|Killing worker")).isEmpty();
	}

	@Test
	@Order(2)
	void brokenReplacementStopsTheRestartAndTheOldWorkersKeepServing() throws IOException {
		Set<Long> before = pids();
		Files.createFile(brokenBuild);
		try {
			assertThat(Http.send("POST", port, "/actuator/cluster", "{\"action\":\"restart\"}").status())
				.isEqualTo(200);
			master.awaitLine("Rolling restart stopped: replacement worker 5 ended with code 1", STARTUP);
		}
		finally {
			Files.delete(brokenBuild);
		}
		JsonNode status = Http.get(port, "/actuator/cluster").json();
		assertThat(status.get("restart").get("state").asString()).isEqualTo("failed");
		assertThat(status.get("restart").get("message").asString()).contains("worker 5");
		assertThat(status.get("events").findValuesAsString("type")).contains("restart-failed");
		assertThat(pids()).isEqualTo(before);
		for (int i = 0; i < 10; i++) {
			assertThat(Http.get(port, "/ping").status()).isEqualTo(200);
		}
	}

	@Test
	@Order(3)
	void workerWithAnUncaughtExceptionIsReplacedWithoutFailingARequest() throws IOException {
		// Paced: the replacement starts beside the load, not behind it (the first test keeps
		// every core busy)
		try (KeepAliveLoad load = KeepAliveLoad.start(port, "/ping", CLIENTS, Duration.ofMillis(3))) {
			load.awaitMore(200, Duration.ofSeconds(30));
			int sick = Http.get(port, "/fail-thread").worker();
			master.awaitLine("EVENT exit worker=" + sick + " .*exitedAfterDisconnect=true exit=0/null", STARTUP);
			load.awaitMore(200, Duration.ofSeconds(30));
			load.close();
			assertThat(load.failures()).hasSizeLessThanOrEqualTo(KeepAliveLoad.toleratedResets());
			assertThat(master.linesMatching("\\[worker " + sick + "\\] .*asks to be replaced: thread \"background-job\""))
				.hasSize(1);
		}
		assertThat(pids()).hasSize(2);
	}

	@Test
	@Order(4)
	void workerOutOfMemoryExitsAndIsReplaced() throws IOException {
		try {
			Http.get(port, "/oom");
		}
		catch (IOException ex) {
			// The worker died answering
		}
		Matcher exit = master.awaitLine("EVENT exit worker=(\\d+) .*exitedAfterDisconnect=false exit=3/null",
				Duration.ofSeconds(30));
		assertThat(master.linesMatching("\\[worker " + exit.group(1) + "\\] .*OutOfMemoryError")).isNotEmpty();
		awaitTwoServingWorkers();
		assertThat(workerIds()).doesNotContain(Integer.parseInt(exit.group(1)));
	}

	@Test
	@Order(5)
	void deadlockedWorkerIsDumpedThenReplaced() throws IOException {
		int stuck = Http.get(port, "/deadlock").worker();
		master.awaitLine("\\[worker " + stuck + "\\] .*Threads .*deadlock-.* are deadlocked", Duration.ofSeconds(10));
		master.awaitLine("worker " + stuck + " \\(pid \\d+\\) sent no heartbeat for 5s", Duration.ofSeconds(20));
		master.awaitLine("\\[worker " + stuck + "\\] Found one Java-level deadlock", Duration.ofSeconds(10));
		master.awaitLine("EVENT exit worker=" + stuck + " .*exit=137/SIGKILL", Duration.ofSeconds(10));
		// Not the listening line of the newest worker forked so far: the replacement may not be
		// forked yet, and the newest then is the other worker, which listens already
		awaitTwoServingWorkers();
		assertThat(workerIds()).hasSize(2).doesNotContain(stuck);
	}

	@Test
	@Order(6)
	void frozenWorkerIsKilledAndReplaced() throws IOException {
		Http.Response frozen = Http.get(port, "/");
		Processes.signal(frozen.pid(), "STOP");
		master.awaitLine("worker " + frozen.worker() + " \\(pid \\d+\\) sent no heartbeat", Duration.ofSeconds(20));
		master.awaitLine("EVENT exit worker=" + frozen.worker() + " .*exit=137/SIGKILL", Duration.ofSeconds(10));
		// Not the listening line of the newest worker forked so far: the replacement may not be
		// forked yet, and the newest then is the other worker, which listens already
		awaitTwoServingWorkers();
		assertThat(workerIds()).hasSize(2).doesNotContain(frozen.worker());
	}

	// Each test starts from two serving workers, whatever the one before left starting
	@BeforeEach
	void awaitTwoServingWorkers() throws IOException {
		long deadline = System.nanoTime() + STARTUP.toNanos();
		while (true) {
			JsonNode status = Http.get(port, "/actuator/cluster").json();
			JsonNode workers = status.get("workers");
			boolean steady = workers.size() == 2 && workers.findValuesAsString("state")
				.stream()
				.allMatch("listening"::equals)
				&& (status.get("restart").isNull() || !status.get("restart").get("state").asString().equals("running"));
			if (steady) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("The cluster did not settle: " + status);
			}
			Processes.sleep(Duration.ofMillis(200));
		}
	}

	private static Set<Long> pids() throws IOException {
		return status().findValues("pid").stream().map(JsonNode::asLong).collect(Collectors.toSet());
	}

	private static Set<Integer> workerIds() throws IOException {
		return status().findValues("id").stream().map(JsonNode::asInt).collect(Collectors.toSet());
	}

	private static JsonNode status() throws IOException {
		return Http.get(port, "/actuator/cluster").json().get("workers");
	}

	/**
	 * One spinning thread per core, beside the load: a machine with no core to spare.
	 */
	private static final class CpuBurners implements AutoCloseable {

		private volatile boolean running = true;

		private final List<Thread> threads = new ArrayList<>();

		CpuBurners() {
			for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
				Thread thread = new Thread(this::burn, "cpu-burner-" + i);
				thread.setDaemon(true);
				thread.start();
				this.threads.add(thread);
			}
		}

		private void burn() {
			long sum = 0;
			while (this.running) {
				sum += Long.hashCode(sum * 31 + 7);
			}
			if (sum == 42) {
				System.out.println("unlikely");
			}
		}

		@Override
		public void close() {
			this.running = false;
		}

	}

}
