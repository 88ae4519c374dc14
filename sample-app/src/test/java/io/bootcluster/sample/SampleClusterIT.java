package io.bootcluster.sample;

import java.io.IOException;
import java.nio.file.Path;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Processes;
import org.junit.jupiter.api.Test;

/**
 * The sample's executable jar, run the way a user runs it: {@code java -jar}.
 */
class SampleClusterIT {

	private static final Path JAR = Path.of("target", "sample-app.jar");

	@Test
	void javaDashJarRunsAMasterAndWorkersOnOnePortThenStopsCleanlyOnSigterm() throws IOException {
		int port = Processes.freePort();
		int masterPort = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startJar(JAR, "--server.port=" + port, "--cluster.workers=2",
				"--cluster.master.management-port=" + masterPort)) {
			SampleClusterChecks cluster = new SampleClusterChecks(master, port, masterPort);
			cluster.awaitTwoWorkers();
			cluster.clusterEndpointDescribesBothWorkers();
			cluster.metricsCoverBothWorkers();
			cluster.workersExchangeMessages();
			cluster.sessionCountsOnEveryWorker();
			cluster.stopsCleanlyOnSigterm();
		}
	}

}
