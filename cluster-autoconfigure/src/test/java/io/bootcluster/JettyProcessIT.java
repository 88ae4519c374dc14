package io.bootcluster;

import java.io.IOException;
import java.time.Duration;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.KeepAliveLoad;
import io.bootcluster.test.Processes;
import io.bootcluster.test.WebServerKind;
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
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(WebServerKind.JETTY, TestApplication.class,
				"--server.port=" + port, "--cluster.workers=2")) {
			master.awaitLines("EVENT listening worker=\\d+", 2, Duration.ofSeconds(90));
			assertThat(master.linesMatching("\\[worker 1\\] .*Jetty started on port " + port)).hasSize(1);
			assertThat(master.linesMatching("Tomcat")).isEmpty();
			ServerChecks.sharesThePortRestartsAndStops(master, port, KeepAliveLoad.toleratedResets());
		}
	}

	@Test
	void aJettyStandbyWarmsUpThenTakesOver() throws Exception {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(WebServerKind.JETTY, TestApplication.class,
				"--server.port=" + port, "--cluster.workers=1", "--cluster.standby-workers=1")) {
			ServerChecks.standbyWarmsUpThenTakesOver(master, port);
		}
	}

}
