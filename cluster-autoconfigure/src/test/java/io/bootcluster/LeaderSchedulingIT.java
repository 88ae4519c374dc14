package io.bootcluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job scheduled every 200 ms in a 2-worker cluster runs in one worker at a time: the
 * leader. It moves to the other worker when the leader is killed, and during a rolling
 * restart no two workers run it in the same period.
 */
class LeaderSchedulingIT {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	@TempDir
	Path directory;

	@Test
	void scheduledJobRunsOnTheLeaderOnly() throws Exception {
		Path runs = this.directory.resolve("runs.txt");
		int port = Processes.freePort();
		try (ClusterProcess master = ClusterProcess.startClass(TestApplication.class, "--server.port=" + port,
				"--cluster.workers=2", "--test.scheduled-file=" + runs)) {
			master.awaitLines("EVENT listening worker=\\d+", 2, STARTUP);
			master.awaitLine("EVENT leader worker=", Duration.ofSeconds(10));
			Processes.sleep(Duration.ofSeconds(1));
			long from = System.currentTimeMillis();
			Processes.sleep(Duration.ofSeconds(5));
			List<Run> steady = runs(runs).stream().filter((run) -> run.at() >= from && run.at() < from + 5_000).toList();
			// One process, about as many runs as one process makes in 5 s: not twice as many
			assertThat(steady.stream().map(Run::pid).distinct()).hasSize(1);
			assertThat(steady).hasSizeBetween(20, 28);
			long leader = steady.get(0).pid();
			long killedAt = System.currentTimeMillis();
			Processes.signal(leader, "KILL");
			Run successor = awaitRunByAnother(runs, leader, killedAt);
			long takeover = successor.at() - killedAt;
			System.out.println("LEADER TAKEOVER " + takeover + " ms after the leader's SIGKILL");
			assertThat(takeover).isLessThan(1500);
			// A rolling restart hands leadership over: no two workers in the same period
			master.awaitLine("EVENT listening worker=3", STARTUP);
			long restartFrom = System.currentTimeMillis();
			Processes.signal(master.pid(), "HUP");
			master.awaitLine("Rolling restart done", STARTUP);
			Processes.sleep(Duration.ofSeconds(1));
			List<Run> during = runs(runs).stream().filter((run) -> run.at() >= restartFrom).toList();
			assertThat(pidSwitches(during)).as("each worker runs it in one stretch, then never again")
				.isEqualTo(during.stream().map(Run::pid).distinct().count() - 1);
			assertThat(during.stream().map(Run::pid).distinct().count()).isGreaterThan(1);
		}
	}

	private static Run awaitRunByAnother(Path runs, long pid, long after) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline) {
			for (Run run : runs(runs)) {
				if (run.pid() != pid && run.at() > after) {
					return run;
				}
			}
			Processes.sleep(Duration.ofMillis(20));
		}
		throw new AssertionError("No other worker ran the job within 30s");
	}

	private static long pidSwitches(List<Run> runs) {
		long switches = 0;
		for (int i = 1; i < runs.size(); i++) {
			if (runs.get(i).pid() != runs.get(i - 1).pid()) {
				switches++;
			}
		}
		return switches;
	}

	private static List<Run> runs(Path file) throws Exception {
		List<Run> runs = new ArrayList<>();
		if (!Files.exists(file)) {
			return runs;
		}
		for (String line : Files.readAllLines(file)) {
			String[] parts = line.trim().split(" ");
			if (parts.length == 2) {
				runs.add(new Run(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
			}
		}
		return runs;
	}

	private record Run(long pid, long at) {
	}

}
