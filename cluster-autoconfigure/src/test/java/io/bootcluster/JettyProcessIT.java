package io.bootcluster;

import java.io.IOException;
import java.time.Duration;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.ClusterProcess.WebServerKind;
import io.bootcluster.test.Http;
import io.bootcluster.test.KeepAliveLoad;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same cluster on Jetty: workers share the port, are checked, retire under load, and
 * stop gracefully.
 */
class JettyProcessIT {

	@Test
	void jettyWorkersShareThePortRestartAndStop() throws IOException {
		int port = ClusterProcess.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(WebServerKind.JETTY, TestApplication.class,
				"--server.port=" + port, "--cluster.workers=2")) {
			master.awaitLines("EVENT listening worker=\\d+", 2, Duration.ofSeconds(90));
			assertThat(master.linesMatching("\\[worker 1\\] .*Jetty started on port " + port)).hasSize(1);
			assertThat(master.linesMatching("Tomcat")).isEmpty();
			ServerChecks.sharesThePortRestartsAndStops(master, port, KeepAliveLoad.toleratedResets());
		}
	}

	@Test
	void aJettyStandbyWarmsUpThenTakesOver() throws IOException {
		int port = ClusterProcess.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(WebServerKind.JETTY, TestApplication.class,
				"--server.port=" + port, "--cluster.workers=1", "--cluster.standby-workers=1")) {
			master.awaitLine("Standby worker 2 \\(pid \\d+\\) is ready to take over", Duration.ofSeconds(90));
			assertThat(master.linesMatching("^\\[worker 2\\] .*served itself 300 requests on a private port"))
				.hasSize(1);
			long first = Http.get(port, "/").pid();
			ProcessHandle.of(first).orElseThrow().destroyForcibly();
			master.awaitLine("EVENT listening worker=2 ", Duration.ofSeconds(30));
			assertThat(Http.get(port, "/").worker()).isEqualTo(2);
		}
	}

}
