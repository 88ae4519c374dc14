package io.bootcluster.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.bootcluster.internal.ipc.ChannelAddress;

/**
 * Runs one of the master's helper JVMs to its end: the extraction of an executable jar,
 * the check of a class data archive, a training run. Its output goes to a log file, and it
 * is judged by its {@link StartupProgress}, like a worker's start: on a machine whose cores
 * are busy serving, a training run takes long without being stuck. Runs on the caller's
 * thread.
 */
final class HelperJvm {

	// Exit values of a JVM ended by SIGHUP, SIGINT, SIGKILL or SIGTERM
	private static final Set<Integer> ENDED_FROM_OUTSIDE = Set.of(128 + 1, 128 + 2, 128 + 9, 128 + 15);

	private HelperJvm() {
	}

	/**
	 * Runs a command until it exits.
	 * @param command the command line
	 * @param output the file that receives its output
	 * @param timeout the longest span without progress
	 * @throws Stalled if it made no progress, or ran too long, and was killed
	 * @throws IOException if it could not start or exited with another code than 0
	 * @throws InterruptedException if the caller was interrupted, after killing it
	 */
	static void run(List<String> command, Path output, Duration timeout) throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(output.toFile());
		ChannelAddress.removeFrom(builder.environment());
		builder.environment().put(ClusterMaster.TRAINING_ENV, "true");
		Process process = builder.start();
		process.getOutputStream().close();
		String what = "'" + String.join(" ", command.subList(1, command.size())) + "'";
		StartupProgress progress = StartupProgress.of(process.toHandle(), timeout);
		try {
			while (!process.waitFor(1, TimeUnit.SECONDS)) {
				String verdict = progress.verdict();
				if (verdict != null) {
					kill(process);
					throw new Stalled(what + " was killed: " + verdict);
				}
			}
		}
		catch (InterruptedException ex) {
			kill(process);
			throw ex;
		}
		if (ENDED_FROM_OUTSIDE.contains(process.exitValue())) {
			// Stopped with the master (its shutdown hook ends every descendant), or by hand:
			// nothing was learned about the command itself
			throw new Ended(what + " was ended by signal " + (process.exitValue() - 128));
		}
		if (process.exitValue() != 0) {
			throw new IOException(what + " exited with " + process.exitValue() + ", ending with: " + lastLines(output)
					+ " (all of it in " + output + ")");
		}
	}

	// The JVM may have started helpers of its own, which would outlive it
	private static void kill(Process process) {
		process.descendants().forEach(ProcessHandle::destroyForcibly);
		process.destroyForcibly();
	}

	private static String lastLines(Path log) throws IOException {
		// Leniently: whatever the output's charset, the exit is what matters
		List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines()
			.filter((line) -> !line.isBlank())
			.toList();
		return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
	}

	/**
	 * A helper that was killed for time, not for what it did: worth another try later.
	 */
	static final class Stalled extends IOException {

		Stalled(String message) {
			super(message);
		}

	}

	/**
	 * The command was ended from outside, by SIGHUP, SIGINT, SIGKILL or SIGTERM.
	 */
	static final class Ended extends IOException {

		Ended(String message) {
			super(message);
		}

	}

}
