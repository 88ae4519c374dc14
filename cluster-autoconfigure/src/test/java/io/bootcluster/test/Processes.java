package io.bootcluster.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a test does to processes by their id, started by it or not: signals, what Linux shows
 * of a process in {@code /proc}, waiting for processes to end; and the pauses and free ports
 * its waits and servers need.
 */
public final class Processes {

	private Processes() {
	}

	/**
	 * A process's command line, as Linux exposes it.
	 * @param pid the process
	 * @return its arguments, the executable first
	 */
	public static List<String> commandLineOf(long pid) {
		try {
			String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"),
					StandardCharsets.UTF_8);
			return List.of(cmdline.split("\0"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Sends a signal by name, as {@code kill -NAME} does.
	 * @param pid the process
	 * @param name the signal's name without {@code SIG}, such as {@code HUP}
	 */
	public static void signal(long pid, String name) {
		if (!sendSignal(pid, name)) {
			throw new AssertionError("kill -" + name + " " + pid + " failed");
		}
	}

	/**
	 * Sends a signal by name unless the process has already ended: a fault aimed at a
	 * worker that a restart retired, or at a helper process the master ran for a moment,
	 * between the choice and the signal.
	 * @param pid the process
	 * @param name the signal's name without {@code SIG}
	 * @return whether the process was there to receive it
	 */
	public static boolean signalIfAlive(long pid, String name) {
		if (sendSignal(pid, name)) {
			return true;
		}
		if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
			throw new AssertionError("kill -" + name + " " + pid + " failed on a running process");
		}
		return false;
	}

	private static boolean sendSignal(long pid, String name) {
		try {
			// What kill says of a process that has ended is expected, and the caller's to report
			Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid))
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.start();
			return kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/**
	 * Looks up a process's environment variable, as Linux exposes it.
	 * @param pid the process
	 * @param name the variable
	 * @return its value
	 */
	public static Optional<String> environmentOf(long pid, String name) {
		try {
			String environ = Files.readString(Path.of("/proc", Long.toString(pid), "environ"),
					StandardCharsets.ISO_8859_1);
			return Stream.of(environ.split("\0"))
				.filter((entry) -> entry.startsWith(name + "="))
				.map((entry) -> entry.substring(name.length() + 1))
				.findFirst();
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	/**
	 * Pauses a test between two looks at something it waits for.
	 * @param duration how long
	 */
	public static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	/**
	 * Waits for processes to end: a process killed by the kernel or orphaned ends a moment
	 * after whatever ended it, and is reaped by init.
	 * @param processes the processes
	 * @param timeout how long to wait at most
	 */
	public static void awaitGone(List<ProcessHandle> processes, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
			sleep(Duration.ofMillis(50));
		}
	}

	/**
	 * A port nobody listens on right now.
	 * @return the port
	 */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
