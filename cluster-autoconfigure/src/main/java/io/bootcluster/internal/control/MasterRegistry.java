package io.bootcluster.internal.control;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.UserDirectory;
import tools.jackson.core.JacksonException;

/**
 * The running masters of this user, one file each in {@code masters} of the user's
 * directory: written by a master once it serves its control socket, removed when it stops,
 * and passed over once its process is gone (a master killed with SIGKILL leaves its file
 * behind). Stateless.
 */
public final class MasterRegistry {

	private static final String SUFFIX = ".json";

	private MasterRegistry() {
	}

	/**
	 * A running master.
	 *
	 * @param pid its process id
	 * @param startedAt when its process started, in milliseconds since the epoch: a pid
	 * used again by another process does not pass for it
	 * @param application the application it runs: its jar, or its main class
	 * @param port the port its workers share
	 * @param control its control socket
	 */
	public record Entry(long pid, long startedAt, String application, int port, String control) {

		boolean isRunning() {
			Optional<ProcessHandle> process = ProcessHandle.of(this.pid);
			return process.isPresent() && process.get().isAlive()
				&& process.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L) == this.startedAt;
		}

	}

	/**
	 * Records this JVM as a running master.
	 * @param port the port its workers share
	 * @param control its control socket
	 * @return the file, to remove when the master stops
	 * @throws IOException if the user's directory is not private, or the file cannot be
	 * written
	 */
	public static Path register(int port, Path control) throws IOException {
		return register(UserDirectory.root(), port, control);
	}

	/**
	 * Records this JVM as a running master in a directory.
	 * @param root the user's directory
	 * @param port the port its workers share
	 * @param control its control socket
	 * @return the file, to remove when the master stops
	 * @throws IOException if the directory is not private, or the file cannot be written
	 */
	public static Path register(Path root, int port, Path control) throws IOException {
		Path directory = root.resolve("masters");
		if (!UserDirectory.isOwnerOnly(root) || !UserDirectory.isOwnerOnly(directory)) {
			throw new IOException(root + " belongs to another user, or others may write to it");
		}
		ProcessHandle self = ProcessHandle.current();
		Entry entry = new Entry(self.pid(), self.info().startInstant().map(Instant::toEpochMilli).orElse(0L),
				currentApplication(), port, control.toString());
		Path file = directory.resolve(self.pid() + SUFFIX);
		Path written = Files.createTempFile(directory, "master", ".tmp");
		Files.write(written, FrameCodec.mapper().writeValueAsBytes(entry));
		Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		return file;
	}

	/**
	 * The masters of this user that run now, oldest first. Files of masters that are gone
	 * are removed.
	 * @return the masters
	 */
	public static List<Entry> running() {
		return running(UserDirectory.root());
	}

	/**
	 * The masters that run now, from a directory, oldest first.
	 * @param root the user's directory
	 * @return the masters
	 */
	public static List<Entry> running(Path root) {
		Path directory = root.resolve("masters");
		List<Entry> running = new ArrayList<>();
		try {
			if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS) || !UserDirectory.isOwnerOnly(root)
					|| !UserDirectory.isOwnerOnly(directory)) {
				return running;
			}
			try (Stream<Path> files = Files.list(directory)) {
				for (Path file : files.filter((path) -> path.toString().endsWith(SUFFIX)).toList()) {
					read(file).ifPresent(running::add);
				}
			}
		}
		catch (IOException ex) {
			// Nothing to find
		}
		running.sort(Comparator.comparingLong(Entry::startedAt));
		return running;
	}

	private static Optional<Entry> read(Path file) {
		try {
			Entry entry = FrameCodec.mapper().readValue(Files.readAllBytes(file), Entry.class);
			if (entry.isRunning()) {
				return Optional.of(entry);
			}
			Files.deleteIfExists(file);
		}
		catch (IOException | JacksonException ex) {
			// Being written, or damaged: not a master to ask
		}
		return Optional.empty();
	}

	/**
	 * What this JVM runs, as a master and its command line both see it: the real path of
	 * its jar, or its main class.
	 * @return the application
	 */
	public static String currentApplication() {
		String classPath = System.getProperty("java.class.path", "");
		if (!classPath.isEmpty() && !classPath.contains(File.pathSeparator) && classPath.endsWith(".jar")) {
			try {
				return Path.of(classPath).toRealPath().toString();
			}
			catch (IOException ex) {
				return Path.of(classPath).toAbsolutePath().normalize().toString();
			}
		}
		return System.getProperty("sun.java.command", "").split(" ", 2)[0];
	}

}
