package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a worker finds its master, and the secret it must present there. The master
 * creates one per cluster; each worker finds the socket in its environment and reads the
 * secret from its standard input ({@link WorkerIdentity}).
 *
 * @param socket the Unix domain socket, inside a directory only its owner can enter
 * @param secret the per-cluster secret
 */
public record ChannelAddress(Path socket, String secret) {

	/**
	 * Environment variable that makes a JVM a worker and carries its id. Spring reads it as
	 * the {@code cluster.worker.id} property.
	 */
	public static final String WORKER_ID_ENV = "CLUSTER_WORKER_ID";

	/**
	 * Environment variable that carries a worker's slot, which its replacements inherit.
	 * Spring reads it as the {@code cluster.worker.slot} property.
	 */
	public static final String WORKER_SLOT_ENV = "CLUSTER_WORKER_SLOT";

	/**
	 * Environment variable that makes a worker a standby: it starts its application but not
	 * its web server until the master activates it.
	 */
	public static final String STANDBY_ENV = "CLUSTER_STANDBY";

	/** Environment variable that carries the socket path to a worker. */
	public static final String SOCKET_ENV = "CLUSTER_IPC_SOCKET";

	/**
	 * Environment variable that carries the master's pid: a process that inherited a
	 * worker's environment from that worker sees that its master is not its parent.
	 */
	public static final String MASTER_PID_ENV = "CLUSTER_MASTER_PID";

	private static final String DIRECTORY_PREFIX = "cluster-";

	// Which master made a directory: its pid and start time, since pids are reused
	private static final String OWNER_FILE = "master";

	// sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included
	private static final int MAX_SOCKET_PATH = 100;

	/**
	 * Creates a fresh owner-only directory for the socket and a random secret.
	 * @return the new address
	 */
	public static ChannelAddress create() {
		try {
			Path directory = Files.createTempDirectory(shortTempRoot(), DIRECTORY_PREFIX,
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			Files.writeString(directory.resolve(OWNER_FILE), ownerOf(ProcessHandle.current()));
			byte[] secret = new byte[32];
			new SecureRandom().nextBytes(secret);
			return new ChannelAddress(directory.resolve("master.sock"),
					Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create the cluster's channel directory", ex);
		}
	}

	/**
	 * Removes the channel directories of masters that are gone: a master killed with
	 * SIGKILL, or with its workers, could not remove its own.
	 * @return how many were removed
	 */
	public static int removeAbandoned() {
		return removeAbandoned(shortTempRoot());
	}

	static int removeAbandoned(Path root) {
		int removed = 0;
		try (Stream<Path> directories = Files.list(root)) {
			for (Path directory : directories.filter((path) -> path.getFileName().toString().startsWith(DIRECTORY_PREFIX))
				.toList()) {
				Path owner = directory.resolve(OWNER_FILE);
				if (Files.isReadable(owner) && !isAlive(Files.readString(owner))) {
					delete(directory.resolve("master.sock"));
					removed++;
				}
			}
		}
		catch (IOException ex) {
			// Someone else's directory, or one being removed: left alone
		}
		return removed;
	}

	private static String ownerOf(ProcessHandle process) {
		return process.pid() + " " + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
	}

	private static boolean isAlive(String owner) {
		String[] parts = owner.trim().split(" ");
		try {
			Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(parts[0]));
			return process.isPresent() && process.get().isAlive() && ownerOf(process.get()).equals(owner.trim());
		}
		catch (NumberFormatException ex) {
			return true;
		}
	}

	private static Path shortTempRoot() {
		Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
		// macOS puts java.io.tmpdir under /var/folders/..., too long for a socket path
		return (tmp.toAbsolutePath().toString().length() <= MAX_SOCKET_PATH - 40) ? tmp : Path.of("/tmp");
	}

	/**
	 * Adds where the master is to a worker's environment; the secret goes to its standard
	 * input.
	 * @param environment the environment of the process about to start
	 */
	public void addTo(Map<String, String> environment) {
		environment.put(SOCKET_ENV, this.socket.toString());
		environment.put(MASTER_PID_ENV, Long.toString(ProcessHandle.current().pid()));
	}

	/**
	 * Removes what makes a process a worker from an environment.
	 * @param environment the environment of a process about to start
	 */
	public static void removeFrom(Map<String, ?> environment) {
		environment.keySet()
			.removeAll(List.of(WORKER_ID_ENV, WORKER_SLOT_ENV, STANDBY_ENV, SOCKET_ENV, MASTER_PID_ENV));
	}

	/**
	 * Removes the socket and its directory.
	 */
	public void delete() {
		delete(this.socket);
	}

	/**
	 * Removes a socket and its directory.
	 * @param socket the socket
	 */
	public static void delete(Path socket) {
		try (Stream<Path> paths = Files.walk(socket.getParent())) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// Already gone, or never made
		}
	}

	@Override
	public String toString() {
		return "ChannelAddress[socket=" + this.socket + "]";
	}

}
