package io.bootcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.Json;
import io.bootcluster.test.Processes;
import io.bootcluster.test.WebServerKind;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP sessions kept by the master: a counter in the session counts on whichever worker a
 * new connection lands, through a rolling restart, for servlet and reactive applications;
 * a session too large is refused with the reason; the store's bound evicts the idlest.
 */
class SessionsIT {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	@Test
	void servletSessionsAreSharedByEveryWorkerAndOutliveThem() throws Exception {
		int port = Processes.freePort();
		ExecutorService pool = Executors.newFixedThreadPool(24);
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port,
				"--cluster.workers=2", "--cluster.sessions.max-bytes=64KB",
				"--cluster.sessions.max-session-size=100KB",
				// The kept-alive client below cannot close its idle connection (Java 17), which
				// would hold its worker's departure for the whole drain timeout
				"--cluster.worker.drain-timeout=1s")) {
			master.awaitLines("EVENT listening worker=\\d+", 2, STARTUP);
			Http.Response first = Http.get(port, "/session/count");
			String cookie = first.cookie("SESSION");
			assertThat(cookie).isNotNull();
			assertThat(first.json().path("count").asInt()).isOne();
			Counter counter = new Counter(port, cookie, 1);
			counter.count(40);
			assertThat(counter.workers).as("new connections reach both workers").hasSize(2);

			// A kept-alive connection stays on one worker, which serves the session from its
			// copy; new connections between its requests take the session to either worker
			// and back, and each request sees the count the one before left
			HttpClient keptAlive = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
			Set<Integer> keptAliveWorkers = new HashSet<>();
			for (int i = 0; i < 90; i++) {
				if (i % 3 == 0) {
					counter.count(1);
				}
				else {
					keptAliveWorkers.add(counter.countOn(keptAlive));
				}
			}
			assertThat(keptAliveWorkers).as("one connection, one worker").hasSize(1);

			// More clients at once than a worker keeps connections to the master for sessions:
			// the others ask over the main channel, in the same order
			List<CompletableFuture<Void>> clients = new ArrayList<>();
			for (int i = 0; i < 24; i++) {
				Http.Response start = Http.get(port, "/session/count");
				Counter client = new Counter(port, start.cookie("SESSION"), 1);
				clients.add(CompletableFuture.runAsync(() -> {
					try {
						client.count(25);
					}
					catch (IOException ex) {
						throw new UncheckedIOException(ex);
					}
				}, pool));
			}
			CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

			// Both workers are replaced, one at a time, while the counter keeps counting
			Processes.signal(master.pid(), "HUP");
			long deadline = System.nanoTime() + STARTUP.toNanos();
			while (master.linesMatching("Rolling restart done").isEmpty()) {
				assertThat(System.nanoTime()).as("the rolling restart is done within %s", STARTUP).isLessThan(deadline);
				counter.count(1);
			}
			counter.workers.clear();
			counter.count(40);
			assertThat(counter.workers).as("the replacements").hasSize(2).doesNotContain(1, 2);

			// A session larger than its limit is refused, and says why
			Http.Response tooLarge = Http.browse("GET", port, "/session/keep/120", List.of("Cookie: " + cookie), null);
			assertThat(tooLarge.status()).isEqualTo(500);
			master.awaitLine("more than cluster.sessions.max-session-size \\(100 KB\\) allows", Duration.ofSeconds(10));
			counter.count(1);

			// 64 KB hold a few hundred small sessions: twice as many, and the idlest go, the
			// newest stay. A worker saves a session whose copy it holds without waiting for the
			// master, and an eviction is told to the worker holding the copy: the hundreds of
			// sessions made after leave both done long before the first is asked for again
			List<String> sessions = new ArrayList<>();
			for (int i = 0; i < 800; i++) {
				sessions.add(Http.get(port, "/session/count").cookie("SESSION"));
			}
			master.awaitLine("Evicted \\d+ HTTP session\\(s\\)", Duration.ofSeconds(10));
			assertThat(countOf(port, sessions.get(0))).as("the idlest session starts again").isOne();
			assertThat(countOf(port, sessions.get(799))).isEqualTo(2);
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void reactiveSessionsAreSharedByEveryWorker() throws Exception {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(WebServerKind.NETTY, TestApplication.class,
				"--server.port=" + port, "--cluster.workers=2", "--spring.main.web-application-type=reactive")) {
			master.awaitLines("EVENT listening worker=\\d+", 2, STARTUP);
			Http.Response first = Http.get(port, "/session/count");
			String cookie = first.cookie("SESSION");
			assertThat(cookie).isNotNull();
			Counter counter = new Counter(port, cookie, 1);
			counter.count(40);
			assertThat(counter.workers).hasSize(2);
		}
	}

	private static int countOf(int port, String cookie) throws IOException {
		return Http.browse("GET", port, "/session/count", List.of("Cookie: " + cookie), null)
			.json()
			.path("count")
			.asInt();
	}

	/**
	 * Counts in one session, a new connection per request, checking that each request
	 * sees the count the one before left.
	 */
	private static final class Counter {

		private final int port;

		private final String cookie;

		private final Set<Integer> workers = new HashSet<>();

		private int count;

		Counter(int port, String cookie, int count) {
			this.port = port;
			this.cookie = cookie;
			this.count = count;
		}

		// One request on a client that keeps its connection; the worker that answered
		int countOn(HttpClient client) throws IOException {
			HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/session/count"))
				.header("Cookie", this.cookie)
				.timeout(Duration.ofSeconds(10))
				.build();
			HttpResponse<String> response;
			try {
				response = client.send(request, HttpResponse.BodyHandlers.ofString());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException(ex);
			}
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			JsonNode body = Json.parse(response.body());
			this.count++;
			assertThat(body.path("count").asInt()).as("count after %s", this.count - 1).isEqualTo(this.count);
			return body.path("worker").asInt();
		}

		void count(int requests) throws IOException {
			for (int i = 0; i < requests; i++) {
				Http.Response response = Http.browse("GET", this.port, "/session/count",
						List.of("Cookie: " + this.cookie), null);
				assertThat(response.status()).as(response.body()).isEqualTo(200);
				this.count++;
				assertThat(response.json().path("count").asInt()).as("count after %s", this.count - 1)
					.isEqualTo(this.count);
				this.workers.add(response.worker());
			}
		}

	}

}
