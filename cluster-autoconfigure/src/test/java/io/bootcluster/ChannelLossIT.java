package io.bootcluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.bootcluster.internal.ipc.ChannelAddress;
import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker whose channel the master closes, while the master lives, exits and is
 * replaced; the master's channel stays where it is for the replacement to join.
 */
class ChannelLossIT {

	@Test
	void aWorkerWhoseChannelClosesIsReplacedAndTheChannelStays() throws IOException {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port,
				"--cluster.workers=1", "--cluster.restart.initial-backoff=0s")) {
			master.awaitLine("EVENT listening worker=1 ", Duration.ofSeconds(60));
			long workerPid = Http.get(port, "/").pid();
			Path socket = Path.of(Processes.environmentOf(workerPid, ChannelAddress.SOCKET_ENV).orElseThrow());
			// The master reads a key longer than Jackson reads by default, then the worker's
			// channel closes under it while the master lives on
			Http.get(port, "/tell-master-long-key");
			master.awaitLine("EVENT message worker=1 topic=long-key", Duration.ofSeconds(10));
			Http.get(port, "/close-channel");
			master.awaitLine("^\\[worker 1\\] .*The channel to the master \\(pid " + master.pid()
					+ "\\) closed: worker 1 exits, and the master replaces it", Duration.ofSeconds(10));
			master.awaitLine("EVENT listening worker=2 ", Duration.ofSeconds(60));
			assertThat(Files.exists(socket)).as("the master's channel").isTrue();
			assertThat(Http.get(port, "/").worker()).isEqualTo(2);
			assertThat(master.linesMatching("Closing the channel of worker 1")).isEmpty();
		}
	}

}
