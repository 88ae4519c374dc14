package io.bootcluster.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.bootcluster.ClusterStatus;
import io.bootcluster.internal.control.MasterRegistry;
import io.bootcluster.internal.ipc.FrameCodec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line's choices, output and exit codes, in front of masters that answer as
 * told (the real ones are asked in the sample's tests).
 */
class ClusterCommandLineTests {

	private final ByteArrayOutputStream output = new ByteArrayOutputStream();

	private final List<JsonNode> requests = new ArrayList<>();

	private final List<MasterRegistry.Entry> running = new ArrayList<>();

	private final List<JsonNode> answers = new ArrayList<>();

	@Test
	void aWrongCommandLineSaysWhatIsWrongAndHowToUseIt() {
		assertThat(run("scale")).isEqualTo(ClusterCommandLine.USAGE);
		assertThat(output()).contains("'scale' takes one number: scale <n>").contains("Usage: java -Djarmode=cluster");
		assertThat(run("status", "--pid", "x")).isEqualTo(ClusterCommandLine.USAGE);
		assertThat(run("reload")).isEqualTo(ClusterCommandLine.USAGE);
		assertThat(run()).isEqualTo(ClusterCommandLine.USAGE);
		assertThat(run("--help")).isEqualTo(ClusterCommandLine.DONE);
		assertThat(this.requests).isEmpty();
	}

	@Test
	void withoutARunningMasterOfThisApplicationItSaysSoAndHowToStartOne() {
		this.running.add(master(1, "/srv/other.jar", 9090));
		assertThat(run("status")).isEqualTo(ClusterCommandLine.NOT_RUNNING);
		assertThat(output()).contains("No cluster of " + MasterRegistry.currentApplication() + " is running")
			.contains("Running: pid 1 on port 9090 (/srv/other.jar)");
		assertThat(this.requests).isEmpty();
	}

	@Test
	void severalMastersOfThisApplicationAskForAChoice() {
		this.running.add(master(1, MasterRegistry.currentApplication(), 8080));
		this.running.add(master(2, MasterRegistry.currentApplication(), 8081));
		assertThat(run("status")).isEqualTo(ClusterCommandLine.NOT_RUNNING);
		assertThat(output()).contains("2 clusters of").contains("Choose one with --pid or --port");
		this.answers.add(FrameCodec.mapper().valueToTree(status("listening")));
		assertThat(run("status", "--port", "8081")).isEqualTo(ClusterCommandLine.DONE);
		assertThat(output()).contains("Cluster on port 8081 (master pid 7): 1 of 1 workers listening");
	}

	@Test
	void statusIsATableForPeopleAndJsonForScripts() {
		this.running.add(master(7, MasterRegistry.currentApplication(), 8080));
		this.answers.add(FrameCodec.mapper().valueToTree(status("listening")));
		assertThat(run("status")).isEqualTo(ClusterCommandLine.DONE);
		assertThat(output()).containsSubsequence("ID", "SLOT", "PID", "STATE", "UPTIME", "HEAP", "CPU", "REQUESTS")
			.containsSubsequence("3", "0", "4242", "listening (leader)", "1h 2m", "128/512 MiB", "25%", "99", "1",
					"SIGKILL at 2026-12-01T10:00:00Z");
		this.answers.add(FrameCodec.mapper().valueToTree(status("listening")));
		assertThat(run("status", "--json")).isEqualTo(ClusterCommandLine.DONE);
		assertThat(FrameCodec.mapper().readTree(output()).path("workers").get(0).path("pid").asLong()).isEqualTo(4242);
		assertThat(this.requests).extracting((request) -> request.path("action").asString())
			.containsOnly("status");
	}

	@Test
	void aCommandTheMasterRefusesEndsWithItsReason() {
		this.running.add(master(7, MasterRegistry.currentApplication(), 8080));
		this.answers.add(FrameCodec.mapper().createObjectNode().put("error", "No worker 9"));
		assertThat(run("stop", "9")).isEqualTo(ClusterCommandLine.REFUSED);
		assertThat(output()).contains("The master refused: No worker 9");
		assertThat(this.requests.get(0).path("worker").asInt()).isEqualTo(9);
		this.answers.add(FrameCodec.mapper().createObjectNode().put("action", "scale").put("from", 2).put("to", 3));
		assertThat(run("scale", "3")).isEqualTo(ClusterCommandLine.DONE);
		assertThat(output()).contains("Scaling from 2 to 3 workers");
	}

	@Test
	void aRestartIsFollowedUntilItEnds() {
		this.running.add(master(7, MasterRegistry.currentApplication(), 8080));
		this.answers.add(FrameCodec.mapper().readTree("{\"action\":\"restart\",\"workers\":[3]}"));
		this.answers.add(FrameCodec.mapper().valueToTree(restarting("running", null)));
		this.answers.add(FrameCodec.mapper().valueToTree(restarting("failed", "worker 4 did not start")));
		assertThat(run("restart")).isEqualTo(ClusterCommandLine.REFUSED);
		assertThat(output()).contains("Restarting workers 3 one at a time")
			.contains("Restart failed: worker 4 did not start");
	}

	@Test
	void aMasterThatDoesNotAnswerIsUnreachable() {
		this.running.add(master(7, MasterRegistry.currentApplication(), 8080));
		assertThat(run("events")).isEqualTo(ClusterCommandLine.UNREACHABLE);
		assertThat(output()).contains("The master (pid 7) did not answer");
	}

	private int run(String... args) {
		this.output.reset();
		PrintStream out = new PrintStream(this.output, true, StandardCharsets.UTF_8);
		return new ClusterCommandLine(out, new ClusterCommandLine.Masters() {

			@Override
			public List<MasterRegistry.Entry> running() {
				return ClusterCommandLineTests.this.running;
			}

			@Override
			public JsonNode ask(MasterRegistry.Entry master, JsonNode request, Duration timeout) throws IOException {
				ClusterCommandLineTests.this.requests.add(request);
				if (ClusterCommandLineTests.this.answers.isEmpty()) {
					throw new IOException("Connection refused");
				}
				return ClusterCommandLineTests.this.answers.remove(0);
			}

		}).run(args);
	}

	private String output() {
		return this.output.toString(StandardCharsets.UTF_8);
	}

	private static MasterRegistry.Entry master(long pid, String application, int port) {
		return new MasterRegistry.Entry(pid, 1, application, port, "/tmp/none.sock");
	}

	private static ClusterStatus status(String state) {
		ClusterStatus.Worker worker = new ClusterStatus.Worker(3, 4242, state, "2026-12-01T09:00:00Z", "PT1H2M3S", 1,
				null, new ClusterStatus.Exit(2, 137, "SIGKILL", "2026-12-01T10:00:00Z"), 128L << 20, 512L << 20, 0.25,
				99, false, true, 0);
		return new ClusterStatus(7, 1, 1, List.of(worker), List.of(), List.of(),
				new ClusterStatus.Startup(1, 3000, 3000), Map.of(), null, List.of(), 3);
	}

	private static ClusterStatus restarting(String state, String message) {
		ClusterStatus status = status("listening");
		return new ClusterStatus(status.masterPid(), 1, 1, status.workers(), List.of(), List.of(), status.startup(),
				Map.of(), new ClusterStatus.Restart(state, "2026-12-01T10:00:00Z", null, List.of(3), message),
				List.of(), 3);
	}

}
