package io.bootcluster;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

import io.bootcluster.test.Browser;
import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.KubernetesManifests;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real cluster of two workers, observed and steered through {@code /actuator/cluster}
 * on the shared port and on the master's own management port.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterActuatorProcessIT {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	private static int port;

	private static int masterPort;

	private static ClusterProcess master;

	@BeforeAll
	static void startCluster() {
		port = Processes.freePort();
		masterPort = Processes.freePort();
		master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port, "--cluster.workers=2",
				"--cluster.master.management-port=" + masterPort,
				"--management.endpoints.web.exposure.include=cluster,health,metrics,prometheus",
				"--management.endpoint.cluster.access=unrestricted", "--management.endpoint.health.show-details=always",
				"--management.endpoint.health.probes.enabled=true",
				"--logging.pattern.level=%5p [w${cluster.worker.id:m}]");
		master.awaitLines("EVENT listening worker=\\d+", 2, STARTUP);
	}

	@AfterAll
	static void stopCluster() {
		master.close();
	}

	@Test
	@Order(1)
	void statusDescribesTheWholeClusterFromAnyWorkerAndFromTheMaster() throws IOException {
		for (int i = 0; i < 4; i++) {
			JsonNode status = Http.get(port, "/actuator/cluster").json();
			assertThat(status.get("masterPid").asLong()).isEqualTo(master.pid());
			assertThat(status.get("desiredWorkers").asInt()).isEqualTo(2);
			assertThat(status.get("restarts").asLong()).isZero();
			assertThat(status.get("workers")).hasSize(2);
			for (JsonNode worker : status.get("workers")) {
				assertThat(worker.get("state").asString()).isEqualTo("listening");
				assertThat(worker.get("pid").asLong()).isPositive();
				assertThat(worker.get("startedAt").asString()).endsWith("Z");
				assertThat(worker.get("uptime").asString()).startsWith("PT");
				assertThat(worker.get("restarts").asLong()).isZero();
				assertThat(worker.get("exitedAfterDisconnect").isNull()).isTrue();
				assertThat(worker.get("lastExit").isNull()).isTrue();
				assertThat(worker.get("heapUsed").asLong()).isPositive();
			}
			assertThat(status.get("events").findValuesAsString("type")).containsSubsequence("fork", "online",
					"listening");
		}
		JsonNode fromMaster = Http.get(masterPort, "/actuator/cluster").json();
		assertThat(fromMaster.get("masterPid").asLong()).isEqualTo(master.pid());
		assertThat(fromMaster.get("workers")).hasSize(2);
	}

	@Test
	@Order(2)
	void logPatternsCanSayWhichWorkerWroteALine() {
		assertThat(master.linesMatching("^\\[worker 1\\] .* INFO \\[w1\\] ")).isNotEmpty();
		assertThat(master.linesMatching("^\\[worker 2\\] .* INFO \\[w2\\] ")).isNotEmpty();
		assertThat(master.linesMatching("^\\d.* INFO \\[wm\\] .*ClusterMaster")).isNotEmpty();
	}

	@Test
	@Order(3)
	void healthIsUpWithTheCountsWhenEveryWorkerListens() throws IOException {
		JsonNode cluster = Http.get(port, "/actuator/health").json().get("components").get("cluster");
		assertThat(cluster.get("status").asString()).isEqualTo("UP");
		assertThat(cluster.get("details").get("desiredWorkers").asInt()).isEqualTo(2);
		assertThat(cluster.get("details").get("listeningWorkers").asInt()).isEqualTo(2);
	}

	@Test
	@Order(3)
	void theKubernetesManifestsProbesAnswer() throws IOException {
		for (String path : KubernetesManifests.probePaths()) {
			Http.Response probe = Http.get(port, path);
			assertThat(probe.status()).as(path).isEqualTo(200);
			assertThat(probe.json().path("status").asString()).as(path).isEqualTo("UP");
		}
	}

	@Test
	@Order(4)
	void oneMetricsReadAddsUpEveryWorkersCounters() throws IOException {
		Map<Integer, Integer> served = new HashMap<>();
		for (int i = 0; i < 200 && (i < 7 || served.size() < 2 || served.get(1).equals(served.get(2))); i++) {
			served.merge(Http.get(port, "/work").worker(), 1, Integer::sum);
		}
		assertThat(served.keySet()).containsExactlyInAnyOrder(1, 2);
		assertThat(served.get(1)).isNotEqualTo(served.get(2));
		int total = served.get(1) + served.get(2);
		for (int i = 0; i < 4; i++) {
			assertThat(count(Http.get(port, "/actuator/metrics/test.work").json())).isEqualTo(total);
			for (int worker : served.keySet()) {
				assertThat(count(Http.get(port, "/actuator/metrics/test.work?tag=cluster.worker:" + worker).json()))
					.isEqualTo(served.get(worker).intValue());
			}
		}
		String scrape = Http.get(port, "/actuator/prometheus").body();
		for (int worker : served.keySet()) {
			assertThat(scrape).contains(
					"test_work_total{cluster_worker=\"" + worker + "\",kind=\"unit\"} " + served.get(worker) + ".0");
		}
		assertThat(scrape).contains("cluster_workers{state=\"listening\"} 2.0",
				"cluster_ipc_messages_total{direction=\"in\"}", "cluster_worker_startup_seconds_count 2");
		JsonNode listening = Http.get(port, "/actuator/metrics/cluster.workers?tag=state:listening").json();
		assertThat(listening.get("measurements").get(0).get("value").asDouble()).isEqualTo(2.0);
	}

	@Test
	@Order(5)
	void badInputIsRejectedWith400AndAMessage() throws IOException {
		assertBadRequest(Http.send("POST", port, "/actuator/cluster", "{\"action\":\"explode\"}"), "Unknown action");
		assertBadRequest(Http.send("POST", port, "/actuator/cluster", "{\"action\":\"scale\",\"workers\":0}"),
				"workers must be at least 1");
		assertBadRequest(Http.send("POST", port, "/actuator/cluster", "{\"action\":\"scale\"}"), "needs 'workers'");
		assertBadRequest(Http.send("DELETE", port, "/actuator/cluster/999", null), "No running worker has id 999");
		assertBadRequest(Http.send("POST", masterPort, "/actuator/cluster", "{\"action\":\"explode\"}"),
				"Unknown action");
		assertThat(Http.get(port, "/actuator/cluster").json().get("workers")).hasSize(2);
	}

	@Test
	@Order(6)
	void deletedWorkerIsStoppedGracefullyThenReplaced() throws IOException {
		Http.Response response = Http.send("DELETE", port, "/actuator/cluster/1", null);
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.json().get("worker").asInt()).isEqualTo(1);
		master.awaitLine("EVENT exit worker=1 .*exitedAfterDisconnect=true exit=0/null", Duration.ofSeconds(30));
		master.awaitLine("EVENT listening worker=3 ", STARTUP);
		assertThat(eventIndex("exit worker=1 ")).isLessThan(eventIndex("fork worker=3 "));
		JsonNode status = Http.get(port, "/actuator/cluster").json();
		assertThat(status.get("workers").findValuesAsString("state")).containsOnly("listening");
		assertThat(status.get("workers").findValues("id")).extracting(JsonNode::asInt)
			.containsExactlyInAnyOrder(2, 3);
		assertThat(status.get("restarts").asLong()).isZero();
	}

	@Test
	@Order(7)
	void scalingGrowsThenShrinksTheCluster() throws IOException {
		Http.Response up = Http.send("POST", port, "/actuator/cluster", "{\"action\":\"scale\",\"workers\":3}");
		assertThat(up.status()).isEqualTo(200);
		assertThat(up.json().get("from").asInt()).isEqualTo(2);
		master.awaitLine("EVENT listening worker=4 ", STARTUP);
		assertThat(Http.get(port, "/actuator/cluster").json().get("desiredWorkers").asInt()).isEqualTo(3);
		Http.Response down = Http.send("POST", masterPort, "/actuator/cluster", "{\"action\":\"scale\",\"workers\":2}");
		assertThat(down.status()).isEqualTo(200);
		master.awaitLine("EVENT exit worker=4 .*exitedAfterDisconnect=true exit=0/null", Duration.ofSeconds(30));
		JsonNode status = Http.get(port, "/actuator/cluster").json();
		assertThat(status.get("desiredWorkers").asInt()).isEqualTo(2);
		assertThat(status.get("workers").findValues("id")).extracting(JsonNode::asInt)
			.containsExactlyInAnyOrder(2, 3);
	}

	@Test
	@Order(8)
	void restartReplacesEveryWorkerOneByOneAndAnOpenPageHoldsUpNone() throws Exception {
		Set<Long> before = pids();
		// Every worker serves the page beside its endpoint. Its only connection to a worker
		// is its stream: the restart is asked on a connection that does not stay, as a
		// browser's idle connection would hold a leaving worker for the drain timeout
		try (Browser browser = pageWithTwoWorkers("http://127.0.0.1:" + port + "/actuator/cluster/ui")) {
			Http.Response response = Http.send("POST", port, "/actuator/cluster", "{\"action\":\"restart\"}");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.json().get("workers")).extracting(JsonNode::asInt).containsExactly(2, 3);
			master.awaitLine("Rolling restart done", STARTUP);
			// Events reach the listeners in order, on a thread of their own: the last one says
			// that every one before it has arrived
			master.awaitLine("EVENT exit worker=3 .*exitedAfterDisconnect=true exit=0/null", Duration.ofSeconds(30));
			assertThat(eventIndex("listening worker=5 ")).isLessThan(eventIndex("disconnect worker=2 "));
			assertThat(eventIndex("exit worker=2 ")).isLessThan(eventIndex("fork worker=6 "));
			assertThat(eventIndex("listening worker=6 ")).isLessThan(eventIndex("disconnect worker=3 "));
			Set<Long> after = pids();
			assertThat(after).hasSize(2).doesNotContainAnyElementsOf(before);
			assertThat(master.linesMatching("died unexpectedly")).isEmpty();
			// The page watched one of them at a time: each left at once, its stream and the
			// stream's connection ended, where an open page would hold its departure for the
			// drain timeout (10 s), then its graceful shutdown until it was killed
			for (int id : List.of(2, 3)) {
				assertThat(master.awaitLine("EVENT exit worker=" + id + " .*", STARTUP).group())
					.contains("exitedAfterDisconnect=true exit=0/null");
				assertThat(Duration.between(time(id, "Leaving the cluster"), time(id, "Commencing graceful shutdown")))
					.as("worker %d from leaving to closing", id)
					.isLessThan(Duration.ofSeconds(5));
			}
			// The page reconnected, to a worker that serves
			browser.awaitTrue("document.querySelector('.worker[data-worker=\"6\"][data-state=listening]') !== null",
					Duration.ofSeconds(5));
		}
	}

	@Test
	@Order(9)
	void theMastersPortTakesWritesAsJsonOnlySoNoWebPageCanPostThem() throws Exception {
		HttpResponse<String> form = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterPort + "/actuator/cluster"))
				.header("Content-Type", "text/plain")
				.POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"restart\"}"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(form.statusCode()).isEqualTo(415);
		assertThat(form.body()).contains("Content-Type: application/json");
		assertThat(master.linesMatching("Rolling restart of workers")).hasSize(1);
	}

	@Test
	@Order(10)
	void theMastersPortAnswersOnlyToItsOwnNameAndGivesUpOnABodyThatNeverComes() throws Exception {
		// A page whose name was made to resolve to this address sends its own name
		try (Socket rebound = new Socket("127.0.0.1", masterPort)) {
			rebound.getOutputStream()
				.write(("GET /actuator/cluster HTTP/1.1\r\nHost: attacker.example:" + masterPort
						+ "\r\nConnection: close\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			rebound.setSoTimeout(10_000);
			String response = new String(rebound.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
			assertThat(response).startsWith("HTTP/1.1 403").contains("does not name this endpoint's address");
		}
		assertThat(Http.get(masterPort, "/actuator/cluster").status()).isEqualTo(200);
		assertThat(Http.get(masterPort, "/actuator/cluster").status()).isEqualTo(200);
		// A client that sends a command's headers, then nothing
		try (Socket stalled = new Socket("127.0.0.1", masterPort)) {
			stalled.getOutputStream()
				.write(("POST /actuator/cluster HTTP/1.1\r\nHost: 127.0.0.1:" + masterPort
						+ "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
					.getBytes(StandardCharsets.US_ASCII));
			stalled.getOutputStream().flush();
			Processes.sleep(Duration.ofMillis(500));
			long started = System.nanoTime();
			assertThat(Http.get(masterPort, "/actuator/cluster").status()).isEqualTo(200);
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
			stalled.setSoTimeout(15_000);
			// The master closes it once the deadline has passed
			assertThat(stalled.getInputStream().read()).isEqualTo(-1);
		}
		assertBadRequest(Http.send("POST", masterPort, "/actuator/cluster",
				"{\"action\":\"scale\",\"workers\":2147483647}"), "Cannot scale to 2147483647 workers");
	}

	private static Set<Long> pids() throws IOException {
		return Http.get(port, "/actuator/cluster")
			.json()
			.get("workers")
			.findValues("pid")
			.stream()
			.map(JsonNode::asLong)
			.collect(Collectors.toSet());
	}

	private static int eventIndex(String event) {
		List<String> lines = master.linesMatching("^EVENT ");
		for (int i = 0; i < lines.size(); i++) {
			if (lines.get(i).startsWith("EVENT " + event)) {
				return i;
			}
		}
		throw new AssertionError("No event '" + event + "' in " + lines);
	}

	private static long count(JsonNode metric) {
		return (long) metric.get("measurements").get(0).get("value").asDouble();
	}

	@Test
	@Order(11)
	void theLivePageShowsAKilledWorkerDeadAndItsReplacementThenRestartsTheCluster() throws Exception {
		try (Browser browser = pageWithTwoWorkers("http://127.0.0.1:" + masterPort + "/")) {
			// Write access: the buttons are there
			assertThat(browser.evaluate("getComputedStyle(document.getElementById('actions')).display !== 'none' "
					+ "&& [...document.querySelectorAll('button.stop')].filter((b) => b.offsetParent !== null).length === 2")
				.asBoolean()).isTrue();
			List<Integer> ids = Http.get(masterPort, "/actuator/cluster").json().get("workers").findValues("id")
				.stream().map(JsonNode::asInt).toList();
			JsonNode victim = Http.get(masterPort, "/actuator/cluster").json().get("workers").get(0);
			int id = victim.get("id").asInt();
			int replacement = ids.stream().mapToInt(Integer::intValue).max().getAsInt() + 1;
			Processes.signal(victim.get("pid").asLong(), "KILL");
			browser.awaitTrue("document.querySelector('.worker[data-worker=\"" + id + "\"][data-state=dead]') !== null "
					+ "&& document.querySelector('.worker[data-worker=\"" + replacement + "\"]:not(.gone)') !== null",
					Duration.ofSeconds(2));
			master.awaitLine("EVENT listening worker=" + replacement + " ", STARTUP);
			browser.awaitTrue("document.querySelectorAll('.worker[data-state=listening]').length === 2",
					Duration.ofSeconds(5));
			// Requests for the sparklines
			for (int i = 0; i < 200; i++) {
				Http.get(port, "/");
			}
			browser.awaitTrue("[...document.querySelectorAll('.worker:not(.gone) dd')]"
					+ ".some((d) => /^[1-9]\\d* \\(/.test(d.textContent))", Duration.ofSeconds(5));
			Path screenshots = Path.of(System.getProperty("cluster.screenshots", "target"));
			browser.screenshot(screenshots.resolve("cluster-page.png"));
			// On a phone: nothing wider than the screen
			browser.viewport(390, 844, true);
			browser.awaitTrue("document.documentElement.scrollWidth <= window.innerWidth", Duration.ofSeconds(2));
			browser.screenshot(screenshots.resolve("cluster-page-phone.png"));
			// With write access, its buttons work: a restart, whose end the tests need not wait for
			browser.viewport(1280, 860, false);
			browser.evaluate("document.getElementById('restart').click()");
			browser.awaitTrue("document.getElementById('message').textContent === 'Rolling restart: done'",
					Duration.ofSeconds(10));
			master.awaitLines("Rolling restart of workers", 2, Duration.ofSeconds(10));
		}
	}

	// When a worker logged a line, from the line's timestamp
	private static Instant time(int worker, String text) {
		Matcher line = master.awaitLine("\\[worker " + worker + "\\] (\\S+Z) .*" + text, Duration.ofSeconds(5));
		return Instant.parse(line.group(1));
	}

	private static Browser pageWithTwoWorkers(String url) throws Exception {
		Browser browser = Browser.start();
		try {
			browser.open(url);
			browser.awaitTrue("document.querySelectorAll('.worker[data-state=listening]').length === 2",
					Duration.ofSeconds(10));
			return browser;
		}
		catch (Exception | Error ex) {
			browser.close();
			throw ex;
		}
	}

	private static void assertBadRequest(Http.Response response, String message) {
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.json().get("error").asString()).contains(message);
	}

}
