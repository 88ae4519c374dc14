package io.bootcluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.bootcluster.internal.ipc.Message;
import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Processes;
import io.bootcluster.testapp.web.TestApplication;
import io.bootcluster.worker.StandbyGate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Workers and the class data archive, with real JVMs: created in the background once the
 * cluster listens, mapped by the workers forked after and by the next start's, forked at
 * its very start, and, when damaged, no obstacle: the workers start without it, and the
 * master notices once they listen and makes it again.
 * The JVM archives classes from jars only: the application runs from a class path of jars.
 */
class ClassDataSharingProcessIT {

	private static final Duration STARTUP = Duration.ofSeconds(90);

	// Loaded only by a JVM in which Boot's background preinitializer runs
	private static final String BACKGROUND_WARMING = "BackgroundPreinitializingApplicationListener$Runner";

	// The JVM of these tests runs the workers too: from Java 25 on, the archive is an AOT cache
	private static final String ARCHIVE_OPTION = (Runtime.version().feature() >= 25) ? "-XX:AOTCache="
			: "-XX:SharedArchiveFile=";

	@TempDir
	Path directory;

	@TempDir
	Path jars;

	@Test
	void workersStartFromTheArchiveOnceCreatedAndInSpiteOfADamagedOne() throws Exception {
		int port = Processes.freePort();
		String[] arguments = { "--server.port=" + port, "--cluster.workers=1",
				"--cluster.worker.class-data-sharing.enabled=true",
				"--cluster.worker.class-data-sharing.directory=" + this.directory };
		Path archive;
		try (ClusterProcess master = ClusterProcess.startClassFromJars(this.jars, TestApplication.class, arguments)) {
			long first = workerPid(master, 1);
			assertThat(String.join(" ", Processes.commandLineOf(first))).doesNotContain(ARCHIVE_OPTION);
			archive = Path.of(master.awaitLine("Created the class data archive (\\S+) in", STARTUP).group(1));
			assertThat(archive).startsWith(this.directory).isRegularFile();

			ProcessHandle.of(first).orElseThrow().destroyForcibly();
			long second = workerPid(master, 2);
			assertThat(Processes.commandLineOf(second)).contains(ARCHIVE_OPTION + archive);
			// The training run ran the application alone, and loaded the worker's own classes too
			assertThat(archivedClasses(Processes.commandLineOf(second)))
				.contains(" " + StandbyGate.class.getName() + " ", " " + Message.Welcome.class.getName() + " ");
		}

		archive.toFile().setWritable(true);
		Files.writeString(archive, "not an archive");
		try (ClusterProcess master = ClusterProcess.startClassFromJars(this.jars, TestApplication.class, arguments)) {
			// As the first start's plan said, with the archive it made: before the master planned it
			master.awaitLine("Worker 1 was forked at the application's start", STARTUP);
			long worker = workerPid(master, 1);
			assertThat(Processes.commandLineOf(worker)).contains(ARCHIVE_OPTION + archive);
			// Boot's background warming runs in the worker, not in a master that forked ahead
			// (Boot warms in the background only where there is more than one processor)
			if (Runtime.getRuntime().availableProcessors() > 1) {
				assertThat(loadedClasses(worker)).contains(BACKGROUND_WARMING);
				assertThat(loadedClasses(master.pid())).doesNotContain(BACKGROUND_WARMING);
			}
			master.awaitLine("The class data archive " + Pattern.quote(archive.toString()) + " cannot be used", STARTUP);
			master.awaitLine("Created the class data archive " + Pattern.quote(archive.toString()), STARTUP);
		}
	}

	// The classes a running JVM has loaded, as it lists them itself
	private String loadedClasses(long pid) throws Exception {
		return output(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid),
				"VM.class_hierarchy"), "classes-" + pid + ".txt");
	}

	// What the archive a worker maps holds, as its JVM lists it
	private String archivedClasses(List<String> workerCommand) throws Exception {
		int mainClass = workerCommand.indexOf(TestApplication.class.getName());
		assertThat(mainClass).as("main class in %s", workerCommand).isPositive();
		List<String> command = new ArrayList<>(workerCommand.subList(0, mainClass));
		command.add("-XX:+PrintSharedArchiveAndExit");
		return output(command, "archive-listing.txt");
	}

	// What a command prints, through a file: a listing of thousands of lines would fill a pipe
	// nobody reads while the command runs
	private String output(List<String> command, String file) throws Exception {
		Path output = this.jars.resolve(file);
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		boolean ended = process.waitFor(1, TimeUnit.MINUTES);
		if (!ended) {
			process.destroyForcibly();
		}
		assertThat(ended).as("%s ended within a minute", command).isTrue();
		return Files.readString(output, StandardCharsets.UTF_8);
	}

	private static long workerPid(ClusterProcess master, int id) {
		Matcher listening = master.awaitLine("EVENT listening worker=" + id + " pid=(\\d+)", STARTUP);
		return Long.parseLong(listening.group(1));
	}

}
