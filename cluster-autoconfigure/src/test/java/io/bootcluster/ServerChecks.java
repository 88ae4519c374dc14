package io.bootcluster;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.KeepAliveLoad;
import io.bootcluster.test.ListeningSockets;
import io.bootcluster.test.Processes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every supported web server must do in a cluster, whichever it is.
 */
final class ServerChecks {

	private ServerChecks() {
	}

	/**
	 * A cluster of one worker and one standby: the standby served itself its warm-up
	 * requests, and serves once the worker is SIGKILLed.
	 * @param master the cluster, started with a worker and a standby
	 * @param port the shared port
	 * @throws Exception if a request fails, or the killed worker does not end
	 */
	static void standbyWarmsUpThenTakesOver(ClusterProcess master, int port) throws Exception {
		master.awaitLine("Standby worker 2 \\(pid \\d+\\) is ready to take over", Duration.ofSeconds(90));
		assertThat(master.linesMatching("^\\[worker 2\\] .*served itself 300 requests on a private port")).hasSize(1);
		ProcessHandle first = ProcessHandle.of(Http.get(port, "/").pid()).orElseThrow();
		first.destroyForcibly();
		master.awaitLine("EVENT listening worker=2 ", Duration.ofSeconds(30));
		// The standby takes over as the killed worker dies, before the kernel has closed its
		// listener, which until then may still take a connection and reset it
		first.onExit().get(30, TimeUnit.SECONDS);
		assertThat(Http.get(port, "/").worker()).isEqualTo(2);
	}

	/**
	 * Two workers share the port, a rolling restart under keep-alive load fails at most
	 * the given number of requests, and SIGTERM stops everything.
	 * @param master the cluster's master, its two workers listening
	 * @param port the shared port
	 * @param toleratedFailures requests that may fail during the restart
	 * @throws IOException if a request cannot be sent
	 */
	static void sharesThePortRestartsAndStops(ClusterProcess master, int port, int toleratedFailures)
			throws IOException {
		Set<Long> pids = new HashSet<>();
		for (int i = 0; i < 60 && pids.size() < 2; i++) {
			pids.add(Http.get(port, "/").pid());
		}
		assertThat(pids).hasSize(2);
		assertThat(ListeningSockets.count(port)).isEqualTo(2);
		// Paced, so that the replacements start beside the load rather than behind it (the
		// same restart with every core busy is SelfHealingProcessIT's), and idle connections
		// are caught as the old workers leave
		try (KeepAliveLoad load = KeepAliveLoad.start(port, "/ping", 6, Duration.ofMillis(3))) {
			load.awaitMore(300, Duration.ofSeconds(30));
			Processes.signal(master.pid(), "HUP");
			master.awaitLine("Rolling restart done", Duration.ofSeconds(90));
			master.awaitLine("EVENT exit worker=2 .*exitedAfterDisconnect=true exit=0/null", Duration.ofSeconds(30));
			load.awaitMore(300, Duration.ofSeconds(30));
			load.close();
			assertThat(load.failures()).hasSizeLessThanOrEqualTo(toleratedFailures);
			assertThat(load.succeeded()).isGreaterThan(600);
		}
		// Each old worker closed its application once its connections were done, not while
		// they drained: closing ends the idle keep-alive ones a client may be reusing
		for (int id : List.of(1, 2)) {
			assertThat(lineIndex(master, id, "Stopped taking connections"))
				.as("worker %d drained before it closed", id)
				.isLessThan(lineIndex(master, id, "Commencing graceful shutdown"));
		}
		List<ProcessHandle> workers = master.descendants();
		master.terminate();
		assertThat(master.awaitExit(Duration.ofSeconds(40))).isZero();
		assertThat(workers).hasSize(2).noneMatch(ProcessHandle::isAlive);
		assertThat(Http.accepts(port)).isFalse();
	}

	private static int lineIndex(ClusterProcess master, int worker, String text) {
		List<String> lines = master.lines();
		for (int i = 0; i < lines.size(); i++) {
			if (lines.get(i).startsWith("[worker " + worker + "] ") && lines.get(i).contains(text)) {
				return i;
			}
		}
		throw new AssertionError("Worker " + worker + " did not log '" + text + "'");
	}

}
