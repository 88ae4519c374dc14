package io.bootcluster.master;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.bootcluster.test.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Workers forked at the application's start from the last start's plan, with real
 * processes: a shell stands in for the worker's JVM, reads its secret as a worker does and
 * prints what the master told it.
 */
class HeadStartTests {

	private static final List<String> ARGUMENTS = List.of("--server.port=8080");

	// Unique to this test run, so that its processes are told from any other
	private final String marker = "head-start-" + UUID.randomUUID();

	@TempDir
	Path directory;

	@AfterEach
	void killLeftovers() {
		ownProcesses().forEach(ProcessHandle::destroyForcibly);
	}

	@Test
	void aLaunchTakesOverTheWorkerTheLastStartPlannedExactlySo() throws Exception {
		HeadStart.WorkerStart planned = start(1, 0);
		HeadStart.record(this.directory, ARGUMENTS, Processes.freePort(), List.of(planned));
		HeadStart headStart = HeadStart.begin(this.directory, ARGUMENTS);
		assertThat(headStart).isNotNull();
		try {
			assertThat(ownProcesses()).hasSize(1);
			assertThat(headStart.takeOver(start(2, 1))).isNull();
			assertThat(headStart.takeOver(new HeadStart.WorkerStart(List.of("sh", "-c", "exit"), 1, 0, false)))
				.isNull();
			Process worker = headStart.takeOver(planned);
			assertThat(worker).isNotNull();
			assertThat(headStart.takeOver(planned)).isNull();
			try (OutputStream input = worker.getOutputStream()) {
				input.write("the-secret\n".getBytes(StandardCharsets.UTF_8));
			}
			BufferedReader output = new BufferedReader(
					new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8));
			assertThat(output.readLine()).isEqualTo("worker 1 slot 0 socket "
					+ headStart.address().socket() + " secret the-secret");
			headStart.end();
			assertThat(worker.isAlive()).isTrue();
			worker.destroyForcibly();
		}
		finally {
			headStart.abandon();
		}
	}

	@Test
	void workersNoLaunchTookOverAreKilledAtTheEndOfTheFirstRound() throws Exception {
		HeadStart.record(this.directory, ARGUMENTS, Processes.freePort(), List.of(start(1, 0), start(2, 1)));
		HeadStart headStart = HeadStart.begin(this.directory, ARGUMENTS);
		assertThat(headStart).isNotNull();
		Process taken = headStart.takeOver(start(1, 0));
		assertThat(taken).isNotNull();
		assertThat(ownProcesses()).hasSize(2);
		headStart.end();
		awaitOwnProcesses(1);
		assertThat(taken.isAlive()).isTrue();
		headStart.abandon();
		assertThat(headStart.address().socket().getParent()).doesNotExist();
	}

	@Test
	void aLaunchThatIsNoMasterAfterAllRemovesThePlanItWasForkedBy() throws Exception {
		HeadStart.record(this.directory, ARGUMENTS, Processes.freePort(), List.of(start(1, 0)));
		assertThat(HeadStart.planned(this.directory, ARGUMENTS)).isTrue();
		HeadStart headStart = HeadStart.begin(this.directory, ARGUMENTS);
		assertThat(headStart).isNotNull();
		assertThat(ownProcesses()).hasSize(1);
		headStart.abandon();
		assertThat(plans()).isEmpty();
		assertThat(HeadStart.planned(this.directory, ARGUMENTS)).isFalse();
		awaitOwnProcesses(0);
		assertThat(HeadStart.begin(this.directory, ARGUMENTS)).isNull();
		assertThat(ownProcesses()).isEmpty();
	}

	@Test
	void nothingIsForkedWithoutAPlanForThisLaunch() {
		assertThat(HeadStart.begin(this.directory, ARGUMENTS)).isNull();
		HeadStart.record(this.directory, List.of("--server.port=8081"), 8081, List.of(start(1, 0)));
		assertThat(HeadStart.planned(this.directory, ARGUMENTS)).isFalse();
		assertThat(HeadStart.planned(this.directory, List.of("--server.port=8081"))).isTrue();
		assertThat(HeadStart.begin(this.directory, ARGUMENTS)).isNull();
		assertThat(ownProcesses()).isEmpty();
	}

	@Test
	void nothingIsForkedWhileThePlannedPortIsTaken() throws Exception {
		try (ServerSocket taken = new ServerSocket()) {
			taken.bind(new InetSocketAddress(0));
			HeadStart.record(this.directory, ARGUMENTS, taken.getLocalPort(), List.of(start(1, 0)));
			assertThat(HeadStart.begin(this.directory, ARGUMENTS)).isNull();
			assertThat(ownProcesses()).isEmpty();
		}
	}

	@Test
	void aDamagedPlanIsIgnoredAndRemoved() throws Exception {
		HeadStart.record(this.directory, ARGUMENTS, Processes.freePort(), List.of(start(1, 0)));
		Path plan = plans().get(0);
		byte[] bytes = Files.readAllBytes(plan);
		Files.write(plan, Arrays.copyOf(bytes, bytes.length - 5));
		assertThat(HeadStart.begin(this.directory, ARGUMENTS)).isNull();
		// Removed, so that the launch does not count as planned
		assertThat(plans()).isEmpty();
		Files.writeString(plan, "not a plan");
		assertThat(HeadStart.begin(this.directory, ARGUMENTS)).isNull();
		assertThat(ownProcesses()).isEmpty();
		assertThat(HeadStart.planned(this.directory, ARGUMENTS)).isFalse();
	}

	@Test
	void aPlanInADirectoryOthersMayWriteToIsNeverRun() throws Exception {
		HeadStart.record(this.directory, ARGUMENTS, Processes.freePort(), List.of(start(1, 0)));
		Files.setPosixFilePermissions(this.directory, PosixFilePermissions.fromString("rwxrwxrwx"));
		assertThat(HeadStart.begin(this.directory, ARGUMENTS)).isNull();
		assertThat(ownProcesses()).isEmpty();
	}

	@Test
	void plansUnusedForAMonthAreRemovedWhenAnotherIsRecorded() throws Exception {
		HeadStart.record(this.directory, List.of("--server.port=8081"), 8081, List.of(start(1, 0)));
		Path old = plans().get(0);
		Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(31))));
		HeadStart.record(this.directory, ARGUMENTS, 8080, List.of(start(1, 0)));
		assertThat(old).doesNotExist();
		assertThat(plans()).hasSize(1);
	}

	private HeadStart.WorkerStart start(int id, int slot) {
		// Reads the secret as a worker does, then says what it was told and waits
		return new HeadStart.WorkerStart(List.of("sh", "-c",
				"read secret; echo worker $CLUSTER_WORKER_ID slot $CLUSTER_WORKER_SLOT socket $CLUSTER_IPC_SOCKET "
						+ "secret $secret; exec sleep 60",
				this.marker), id, slot, false);
	}

	private List<ProcessHandle> ownProcesses() {
		return ProcessHandle.current()
			.children()
			.filter((child) -> child.info().arguments().map(List::of).orElse(List.of()).contains(this.marker))
			.toList();
	}

	private void awaitOwnProcesses(int count) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (ownProcesses().size() != count && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(ownProcesses()).hasSize(count);
	}

	private List<Path> plans() throws Exception {
		try (Stream<Path> files = Files.list(this.directory)) {
			return files.filter((file) -> file.getFileName().toString().startsWith("start-plan-")).toList();
		}
	}

}
