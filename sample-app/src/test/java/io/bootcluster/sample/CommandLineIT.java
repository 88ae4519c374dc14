package io.bootcluster.sample;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import io.bootcluster.test.Processes;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster's command line in the sample's own jar, {@code java -Djarmode=cluster -jar
 * sample-app.jar}, against a real cluster: each command, its output and its exit code,
 * and then against no cluster at all.
 */
class CommandLineIT {

	private static final Path JAR = Path.of("target", "sample-app.jar");

	private static final Duration COMMAND = Duration.ofSeconds(120);

	@Test
	void everyCommandSteersARunningClusterAndNoneFindsAStoppedOne() throws Exception {
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startJar(JAR, "--server.port=" + port, "--cluster.workers=1")) {
			master.awaitLine("Worker 1 \\(pid \\d+\\) is listening", SampleClusterChecks.STARTUP);

			// Found by its jar, without options
			Result status = cluster("status");
			assertThat(status.code()).as(status.output()).isZero();
			assertThat(status.output()).contains("Cluster on port " + port + " (master pid " + master.pid() + "): "
					+ "1 of 1 workers listening")
				.containsPattern("(?m)^1 +0 +\\d+ +listening \\(leader\\)");
			JsonNode json = JsonMapper.shared().readTree(cluster("status", "--json", "--port", "" + port).output());
			assertThat(json.path("masterPid").asLong()).isEqualTo(master.pid());

			// Waits until the worker was replaced
			Result restart = cluster("restart", "--port", "" + port);
			assertThat(restart.code()).as(restart.output()).isZero();
			assertThat(restart.output()).contains("Restarting workers 1 one at a time")
				.contains("Restart done.")
				.containsPattern("(?m)^2 +0 +\\d+ +listening");
			assertThat(Http.get(port, "/").status()).isEqualTo(200);

			Result events = cluster("events", "--port", "" + port);
			assertThat(events.code()).as(events.output()).isZero();
			assertThat(events.output()).containsPattern("(?m) 1 +exit +code 0$").containsPattern("(?m) 2 +listening$");

			Result up = cluster("scale", "2", "--port", "" + port);
			assertThat(up.code()).as(up.output()).isZero();
			assertThat(up.output()).contains("Scaling from 1 to 2 workers");
			Result down = cluster("scale", "1", "--port", "" + port);
			assertThat(down.code()).as(down.output()).isZero();
			assertThat(down.output()).contains("Scaling from 2 to 1 workers");

			Result stop = cluster("stop", "2", "--port", "" + port);
			assertThat(stop.code()).as(stop.output()).isZero();
			assertThat(stop.output()).contains("Worker 2 stops gracefully");
			master.awaitLine("Worker 2 exited with code 0", SampleClusterChecks.STARTUP);

			Result refused = cluster("stop", "99", "--port", "" + port);
			assertThat(refused.code()).as(refused.output()).isEqualTo(1);
			assertThat(refused.output()).contains("The master refused:");
		}
		Result none = cluster("status", "--port", "" + port);
		assertThat(none.code()).as(none.output()).isEqualTo(3);
		assertThat(none.output()).contains("No cluster on port " + port + " is running for user");
	}

	private static Result cluster(String command, String... options) throws Exception {
		List<String> arguments = new ArrayList<>(List.of("-Djarmode=cluster", "-jar", JAR.toString(), command));
		arguments.addAll(List.of(options));
		try (ClusterProcess cli = ClusterProcess.startJava(arguments.toArray(String[]::new))) {
			int code = cli.awaitExit(COMMAND);
			return new Result(code, String.join("\n", cli.lines()));
		}
	}

	private record Result(int code, String output) {
	}

}
