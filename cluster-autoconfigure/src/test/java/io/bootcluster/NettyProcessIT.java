package io.bootcluster;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.ClusterProcess.WebServerKind;
import io.bootcluster.test.KeepAliveLoad;
import io.bootcluster.test.Http;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same cluster as a reactive application on Reactor Netty: workers share the port,
 * are checked, retire without losing a request, and stop gracefully; a standby warms up
 * and takes over.
 */
class NettyProcessIT {

	@Test
	void nettyWorkersShareThePortRestartAndStop() throws IOException {
		int port = ClusterProcess.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(WebServerKind.NETTY, TestApplication.class,
				"--server.port=" + port, "--cluster.workers=2", "--spring.main.web-application-type=reactive")) {
			master.awaitLines("EVENT listening worker=\\d+", 2, Duration.ofSeconds(90));
			assertThat(master.linesMatching("\\[worker 1\\] .*Netty started on port " + port)).hasSize(1);
			ServerChecks.sharesThePortRestartsAndStops(master, port, KeepAliveLoad.toleratedResets());
		}
	}

	@Test
	void aNettyStandbyWarmsUpThenTakesOver() throws IOException {
		int port = ClusterProcess.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(WebServerKind.NETTY, TestApplication.class,
				"--server.port=" + port, "--cluster.workers=1", "--cluster.standby-workers=1",
				"--spring.main.web-application-type=reactive")) {
			ServerChecks.standbyWarmsUpThenTakesOver(master, port);
		}
	}

	@Test
	void reactiveApplicationsOnTomcatAndJettyShareThePortToo() throws IOException {
		for (WebServerKind server : new WebServerKind[] { WebServerKind.TOMCAT, WebServerKind.JETTY }) {
			int port = ClusterProcess.freePort();
			try (ClusterProcess master = ClusterProcess.startClass(server, TestApplication.class,
					"--server.port=" + port, "--cluster.workers=2", "--spring.main.web-application-type=reactive")) {
				master.awaitLines("EVENT listening worker=\\d+", 2, Duration.ofSeconds(90));
				assertThat(master.linesMatching("\\[worker 1\\] .*(Tomcat|Jetty) started on port " + port)).hasSize(1);
				Set<Long> pids = new HashSet<>();
				for (int i = 0; i < 60 && pids.size() < 2; i++) {
					pids.add(Http.get(port, "/").pid());
				}
				assertThat(pids).as(server.name()).hasSize(2);
				master.terminate();
				assertThat(master.awaitExit(Duration.ofSeconds(40))).isZero();
			}
		}
	}

}
