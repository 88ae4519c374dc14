package io.bootcluster.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.ListeningSockets;
import io.bootcluster.test.Processes;
import org.junit.jupiter.api.Test;

import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample run the other ways Boot applications are launched: its workers are started
 * the same way as their master.
 */
class LaunchModesIT {

	private static final Path JAR = Path.of("target", "sample-app.jar");

	@Test
	void jarLauncherOnTheClassPath() throws Exception {
		int port = Processes.freePort();
		int masterPort = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startJava("-cp", JAR.toString(),
				"org.springframework.boot.loader.launch.JarLauncher", "--server.port=" + port, "--cluster.workers=2",
				"--cluster.master.management-port=" + masterPort)) {
			SampleClusterChecks cluster = new SampleClusterChecks(master, port, masterPort);
			Set<Long> pids = cluster.awaitTwoWorkers();
			for (long pid : pids) {
				assertThat(Processes.commandLineOf(pid)).containsSubsequence("-cp", JAR.toString(),
						"org.springframework.boot.loader.launch.JarLauncher", "--server.port=" + port);
			}
			cluster.stopsCleanlyOnSigterm();
		}
	}

	@Test
	void extractedJarWithASeparateManagementPort() throws Exception {
		Path extracted = Path.of("target", "extracted");
		// Extracted again whenever the jar was built since
		if (!Files.exists(extracted.resolve("sample-app.jar")) || Files.getLastModifiedTime(JAR)
			.compareTo(Files.getLastModifiedTime(extracted.resolve("sample-app.jar"))) > 0) {
			FileSystemUtils.deleteRecursively(extracted);
			try (ClusterProcess extract = ClusterProcess.startJava("-Djarmode=tools", "-jar", JAR.toString(),
					"extract", "--destination", extracted.toString())) {
				assertThat(extract.awaitExit(Duration.ofSeconds(60))).isZero();
			}
		}
		int port = Processes.freePort();
		int managementPort = Processes.freePort();
		int masterPort = Processes.freePort();
		Path jar = extracted.resolve("sample-app.jar");
		try (ClusterProcess master = ClusterProcess.startJar(jar, "--server.port=" + port, "--cluster.workers=2",
				"--management.server.port=" + managementPort, "--cluster.master.management-port=" + masterPort)) {
			SampleClusterChecks cluster = new SampleClusterChecks(master, port, masterPort);
			Set<Long> pids = cluster.awaitTwoWorkers();
			for (long pid : pids) {
				assertThat(Processes.commandLineOf(pid)).containsSubsequence("-jar",
						jar.toAbsolutePath().toString());
			}
			// The management port is shared like the application's
			assertThat(ListeningSockets.count(managementPort)).isEqualTo(2);
			assertThat(Http.get(managementPort, "/actuator/cluster").json().get("workers")).hasSize(2);
			assertThat(Http.get(managementPort, "/actuator/health").status()).isEqualTo(200);
			cluster.stopsCleanlyOnSigterm();
		}
	}

}
