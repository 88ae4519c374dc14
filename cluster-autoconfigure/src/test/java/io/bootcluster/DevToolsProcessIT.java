package io.bootcluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.bootcluster.internal.ipc.UserDirectory;
import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application run with Spring Boot DevTools, as from an IDE: DevTools runs it again on a
 * thread of its own and ends the first run, so the run it started again is the master: it
 * alone forks the last start's plan ahead, and takes those workers over.
 */
class DevToolsProcessIT {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	@TempDir
	Path jars;

	@Test
	void theRunDevToolsRestartedIsTheMasterAndTakesOverTheWorkersForkedAhead() throws Exception {
		String[] arguments = { "--server.port=" + Processes.freePort(), "--cluster.workers=1",
				"--cluster.worker.class-data-sharing.enabled=false" };
		Set<Path> plansBefore = plans();
		Set<Path> recorded;
		try (ClusterProcess master = start(arguments)) {
			master.awaitLine("\\[ *restartedMain\\] .*Starting 1 workers", STARTUP);
			master.awaitLine("EVENT listening worker=1 ", STARTUP);
			// Recorded once the worker serves, for the next start
			recorded = awaitNewPlans(plansBefore);
		}
		try (ClusterProcess master = start(arguments)) {
			master.awaitLine("\\[ *restartedMain\\] .*Starting 1 workers", STARTUP);
			master.awaitLine("Worker 1 was forked at the application's start", STARTUP);
			master.awaitLine("EVENT listening worker=1 ", STARTUP);
			// The worker forked ahead, and no other
			assertThat(master.descendants()).filteredOn((process) -> isJava(process)).hasSize(1);
			assertThat(master.linesMatching("forked at the application's start as the last start's plan said were "
					+ "stopped")).isEmpty();
		}
		finally {
			for (Path plan : recorded) {
				Files.deleteIfExists(plan);
			}
		}
	}

	private ClusterProcess start(String... arguments) {
		return ClusterProcess.startClassFromJars(this.jars, List.of("spring-boot-devtools"), TestApplication.class,
				arguments);
	}

	private static boolean isJava(ProcessHandle process) {
		return process.info().command().map((command) -> command.endsWith("/java")).orElse(false);
	}

	private static Set<Path> awaitNewPlans(Set<Path> before) throws Exception {
		long deadline = System.nanoTime() + STARTUP.toNanos();
		Set<Path> added = Set.of();
		while (added.isEmpty() && System.nanoTime() < deadline) {
			Thread.sleep(100);
			added = plans().stream().filter((plan) -> !before.contains(plan)).collect(Collectors.toSet());
		}
		assertThat(added).as("plans recorded").isNotEmpty();
		return added;
	}

	private static Set<Path> plans() throws IOException {
		Path directory = UserDirectory.root();
		if (!Files.isDirectory(directory)) {
			return Set.of();
		}
		try (Stream<Path> files = Files.list(directory)) {
			// Not the file a plan is written to before it is moved in place
			return files.filter((file) -> file.getFileName().toString().startsWith("start-plan-")
					&& !file.getFileName().toString().endsWith(".tmp"))
				.collect(Collectors.toSet());
		}
	}

}
