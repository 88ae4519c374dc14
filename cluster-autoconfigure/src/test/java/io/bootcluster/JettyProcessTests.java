package io.bootcluster;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.ClusterProcess.WebServerKind;
import io.bootcluster.test.Http;
import io.bootcluster.test.KeepAliveLoad;
import io.bootcluster.test.ListeningSockets;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same cluster on Jetty: workers share the port, are checked, retire without losing a
 * request, and stop gracefully.
 */
class JettyProcessTests {

	@Test
	void jettyWorkersShareThePortAndRestartWithoutFailingARequest() throws IOException {
		int port = ClusterProcess.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(WebServerKind.JETTY, TestApplication.class,
				"--server.port=" + port, "--cluster.workers=2")) {
			master.awaitLines("EVENT listening worker=\\d+", 2, Duration.ofSeconds(90));
			assertThat(master.linesMatching("\\[worker 1\\] .*Jetty started on port " + port)).hasSize(1);
			assertThat(master.linesMatching("Tomcat")).isEmpty();
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
				// Jetty's acceptor is interrupted when its listener closes: a connection it
				// accepts at that instant can be reset, as can one still queued while
				// net.ipv4.tcp_migrate_req is 0. Tomcat's endpoint, which drains its queue
				// itself, loses none; for Jetty, at most that one
				assertThat(load.failures()).hasSizeLessThanOrEqualTo(1);
				assertThat(load.succeeded()).isGreaterThan(600);
			}
			List<ProcessHandle> workers = master.descendants();
			master.terminate();
			assertThat(master.awaitExit(Duration.ofSeconds(40))).isZero();
			assertThat(workers).hasSize(2).noneMatch(ProcessHandle::isAlive);
			assertThat(Http.accepts(port)).isFalse();
		}
	}

}
