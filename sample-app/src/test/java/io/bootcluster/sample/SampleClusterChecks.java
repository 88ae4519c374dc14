package io.bootcluster.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.ListeningSockets;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user of the sample counts on, checked on a running master with two workers: both
 * workers serve on the shared port, the actuator describes and measures the whole cluster,
 * workers reach each other with messages, and SIGTERM stops everything. Kept in one place
 * so that every way of starting the sample, on every Boot release it is run on, is held to
 * the same checks.
 */
final class SampleClusterChecks {

	/** How long a master and two workers may take to start on a small, busy machine. */
	static final Duration STARTUP = Duration.ofSeconds(120);

	private final ClusterProcess master;

	private final int port;

	private final int masterPort;

	/**
	 * Checks for a cluster started with {@code --cluster.workers=2}.
	 * @param master the master's process
	 * @param port the port the workers share
	 * @param masterPort the master's own management port
	 */
	SampleClusterChecks(ClusterProcess master, int port, int masterPort) {
		this.master = master;
		this.port = port;
		this.masterPort = masterPort;
	}

	/**
	 * Waits for both workers to listen, then sends requests until each has answered one:
	 * the master itself never listens on the shared port.
	 * @return the workers' pids
	 * @throws IOException if a request fails
	 */
	Set<Long> awaitTwoWorkers() throws IOException {
		this.master.awaitLines("Worker \\d+ \\(pid \\d+\\) is listening on .*:" + this.port, 2, STARTUP);
		Set<Long> pids = new HashSet<>();
		Set<Integer> workerIds = new HashSet<>();
		Map<Integer, Integer> slots = new HashMap<>();
		Map<Integer, Boolean> leaders = new HashMap<>();
		for (int i = 0; i < 60 && pids.size() < 2; i++) {
			Http.Response response = Http.get(this.port, "/");
			assertThat(response.status()).isEqualTo(200);
			pids.add(response.pid());
			workerIds.add(response.worker());
			slots.put(response.worker(), response.json().get("slot").asInt());
			leaders.put(response.worker(), response.json().get("leader").asBoolean());
		}
		assertThat(pids).hasSize(2).doesNotContain(this.master.pid());
		assertThat(workerIds).containsExactlyInAnyOrder(1, 2);
		// Each worker has a slot of its own, and at most one leads
		assertThat(slots).containsOnlyKeys(1, 2).containsValues(0, 1);
		assertThat(leaders.values()).filteredOn((leader) -> leader).hasSizeLessThan(2);
		assertThat(ListeningSockets.listens(this.master.pid(), this.port)).isFalse();
		// A worker listens a moment before its application logs that it started
		this.master.awaitLines("^\\[worker [12]\\] .*Started SampleApplication", 2, Duration.ofSeconds(30));
		return pids;
	}

	/**
	 * A visit counter in the HTTP session counts on, whichever worker each new connection
	 * reaches: the master keeps the session.
	 * @throws IOException if a request fails
	 */
	void sessionCountsOnEveryWorker() throws IOException {
		Http.Response first = Http.get(this.port, "/visits");
		String cookie = first.cookie("SESSION");
		assertThat(cookie).as(first.head()).isNotNull();
		Set<Integer> workers = new HashSet<>();
		for (int visit = 2; visit <= 30; visit++) {
			Http.Response response = Http.browse("GET", this.port, "/visits", List.of("Cookie: " + cookie), null);
			assertThat(response.json().get("visits").asInt()).isEqualTo(visit);
			workers.add(response.worker());
		}
		assertThat(workers).containsExactlyInAnyOrder(1, 2);
	}

	/**
	 * {@code /actuator/cluster} answers, from a worker and from the master, with the master
	 * and both workers listening.
	 * @throws IOException if a request fails
	 */
	void clusterEndpointDescribesBothWorkers() throws IOException {
		for (int endpointPort : List.of(this.port, this.masterPort)) {
			Http.Response response = Http.get(endpointPort, "/actuator/cluster");
			assertThat(response.status()).as("GET /actuator/cluster on port %d", endpointPort).isEqualTo(200);
			JsonNode status = response.json();
			assertThat(status.get("masterPid").asLong()).isEqualTo(this.master.pid());
			assertThat(status.get("desiredWorkers").asInt()).isEqualTo(2);
			assertThat(status.get("workers")).hasSize(2);
			Set<Integer> ids = new HashSet<>();
			for (JsonNode worker : status.get("workers")) {
				assertThat(worker.get("state").asString()).as("worker %s", worker).isEqualTo("listening");
				ids.add(worker.get("id").asInt());
			}
			assertThat(ids).containsExactlyInAnyOrder(1, 2);
			// Both serve: the oldest leads
			assertThat(status.get("leader").asInt()).isEqualTo(1);
		}
		assertThat(Http.get(this.port, "/actuator/health").body()).contains("\"status\":\"UP\"");
	}

	/**
	 * One scrape, whichever worker answers it, counts the listening workers and carries
	 * both workers' request timings, each series tagged with its worker. Needs both
	 * workers to have served a request, as {@link #awaitTwoWorkers()} makes sure of.
	 * @throws IOException if a request fails
	 */
	void metricsCoverBothWorkers() throws IOException {
		Http.Response scrape = Http.get(this.port, "/actuator/prometheus");
		assertThat(scrape.status()).isEqualTo(200);
		assertThat(scrape.body()).contains("cluster_workers{state=\"listening\"} 2.0");
		for (int worker = 1; worker <= 2; worker++) {
			assertThat(scrape.body()).containsPattern("(?m)^http_server_requests_seconds_count\\{cluster_worker=\""
					+ worker + "\",[^}]*uri=\"/\"\\} [1-9]");
		}
	}

	/**
	 * A request and its replies, and a broadcast, between the workers: {@code /stats} adds
	 * up every worker's count, and clearing the cache on one worker clears it on the other.
	 * @throws IOException if a request fails
	 */
	void workersExchangeMessages() throws IOException {
		JsonNode stats = Http.get(this.port, "/stats").json();
		assertThat(stats.get("byWorker").properties()).hasSize(2);
		// Each worker has served requests already, and the total is theirs, from both
		long sum = 0;
		for (JsonNode count : stats.get("byWorker")) {
			assertThat(count.isNumber()).as("count %s", count).isTrue();
			assertThat(count.asLong()).as("a worker's count").isPositive();
			sum += count.asLong();
		}
		assertThat(stats.get("total").asLong()).isEqualTo(sum);
		int clearer = Http.send("DELETE", this.port, "/greetings/cache", null).json().get("worker").asInt();
		this.master.awaitLine("^\\[worker " + (3 - clearer) + "\\] .*Cleared \\d+ cached greetings, as worker "
				+ clearer + " asked", Duration.ofSeconds(10));
	}

	/**
	 * SIGTERM to the master stops both workers, each with exit code 0, then the master,
	 * also with 0, and frees the port.
	 */
	void stopsCleanlyOnSigterm() {
		List<ProcessHandle> workers = this.master.descendants();
		this.master.terminate();
		assertThat(this.master.awaitExit(Duration.ofSeconds(40))).isZero();
		assertThat(workers).hasSize(2).noneMatch(ProcessHandle::isAlive);
		assertThat(this.master.linesMatching("Worker [12] exited with code 0")).hasSize(2);
		assertThat(Http.accepts(this.port)).isFalse();
	}

}
