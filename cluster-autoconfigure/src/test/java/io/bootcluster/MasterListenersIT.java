package io.bootcluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Master-side listeners run beside the cluster, not in its way: one that blocks on the
 * first fork, then throws, delays no worker's handshake or start, and the events behind it
 * still arrive, in order.
 */
class MasterListenersIT {

	@TempDir
	Path directory;

	@Test
	void aBlockedFailingListenerHoldsUpNoWorker() throws IOException {
		Path release = this.directory.resolve("release");
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port,
				"--cluster.workers=2", "--test.blocking-master-listener=" + release)) {
			master.awaitLines("Worker \\d+ \\(pid \\d+\\) is listening", 2, Duration.ofSeconds(60));
			// Both workers joined and serve while the listener still blocks on the first fork
			assertThat(master.linesMatching("^BLOCKED listener on the fork of worker 1")).hasSize(1);
			assertThat(master.linesMatching("^EVENT (online|listening)")).isEmpty();
			Files.createFile(release);
			master.awaitLines("^EVENT listening worker=\\d+", 2, Duration.ofSeconds(30));
			assertThat(master.linesMatching("A master-side listener failed on WorkerForkEvent")).hasSize(1);
			assertThat(master.linesMatching("Could not join|exits:|died unexpectedly")).isEmpty();
			// The failure ends that event's delivery, not the next events'
			assertThat(master.linesMatching("^EVENT (online|listening) worker=1 "))
				.extracting((line) -> line.split(" ")[1])
				.containsExactly("online", "listening");
		}
	}

}
