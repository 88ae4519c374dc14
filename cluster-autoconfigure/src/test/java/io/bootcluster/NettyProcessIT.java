package io.bootcluster;

import java.io.IOException;
import java.time.Duration;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.Json;
import io.bootcluster.test.KeepAliveLoad;
import io.bootcluster.test.Processes;
import io.bootcluster.test.WebServerKind;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same cluster as a reactive application on Reactor Netty: workers share the port,
 * are checked, retire without losing a request, and stop gracefully; a standby warms up
 * and takes over.
 */
class NettyProcessIT {

	@Test
	void nettyWorkersShareThePortRestartAndStop() throws IOException {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(WebServerKind.NETTY, TestApplication.class,
				"--server.port=" + port, "--cluster.workers=2", "--spring.main.web-application-type=reactive",
				"--management.endpoints.web.exposure.include=cluster")) {
			master.awaitLines("EVENT listening worker=\\d+", 2, Duration.ofSeconds(90));
			assertThat(master.linesMatching("\\[worker 1\\] .*Netty started on port " + port)).hasSize(1);
			// The live page, and its stream left open through the restart
			assertThat(Http.get(port, "/actuator/cluster/ui").body()).contains("<title>Cluster</title>");
			try (Http.EventStream stream = Http.stream(port, "/actuator/cluster/stream")) {
				JsonNode event = Json.parse(stream.next("status", Duration.ofSeconds(10)));
				assertThat(event.get("status").get("workers")).hasSize(2);
				ServerChecks.sharesThePortRestartsAndStops(master, port, KeepAliveLoad.toleratedResets());
			}
		}
	}

	@Test
	void aNettyStandbyWarmsUpThenTakesOver() throws Exception {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(WebServerKind.NETTY, TestApplication.class,
				"--server.port=" + port, "--cluster.workers=1", "--cluster.standby-workers=1",
				"--spring.main.web-application-type=reactive")) {
			ServerChecks.standbyWarmsUpThenTakesOver(master, port);
		}
	}

}
