package io.bootcluster;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.KeepAliveLoad;
import io.bootcluster.test.ListeningSockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every supported web server must do in a cluster of two workers, whichever it is.
 */
final class ServerChecks {

	private ServerChecks() {
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
		try (KeepAliveLoad load = KeepAliveLoad.start(port, "/ping", 8)) {
			load.awaitMore(300, Duration.ofSeconds(30));
			ClusterProcess.signal(master.pid(), "HUP");
			master.awaitLine("Rolling restart done", Duration.ofSeconds(90));
			master.awaitLine("EVENT exit worker=2 .*exitedAfterDisconnect=true exit=0/null", Duration.ofSeconds(30));
			load.awaitMore(300, Duration.ofSeconds(30));
			load.close();
			assertThat(load.failures()).hasSizeLessThanOrEqualTo(toleratedFailures);
			assertThat(load.succeeded()).isGreaterThan(600);
		}
		List<ProcessHandle> workers = master.descendants();
		master.terminate();
		assertThat(master.awaitExit(Duration.ofSeconds(40))).isZero();
		assertThat(workers).hasSize(2).noneMatch(ProcessHandle::isAlive);
		assertThat(Http.accepts(port)).isFalse();
	}

}
