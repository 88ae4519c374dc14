package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * Where a worker finds its master, and the secret it must present there. The master
 * creates one per cluster and hands it to each worker in its environment.
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
	 * Environment variable that makes a worker a standby: it starts its application but not
	 * its web server until the master activates it.
	 */
	public static final String STANDBY_ENV = "CLUSTER_STANDBY";

	/** Environment variable that carries the socket path to a worker. */
	public static final String SOCKET_ENV = "CLUSTER_IPC_SOCKET";

	/** Environment variable that carries the secret to a worker. */
	public static final String SECRET_ENV = "CLUSTER_IPC_SECRET";

	// sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included
	private static final int MAX_SOCKET_PATH = 100;

	/**
	 * Creates a fresh owner-only directory for the socket and a random secret.
	 * @return the new address
	 */
	public static ChannelAddress create() {
		try {
			Path directory = Files.createTempDirectory(shortTempRoot(), "cluster-",
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			byte[] secret = new byte[32];
			new SecureRandom().nextBytes(secret);
			return new ChannelAddress(directory.resolve("master.sock"),
					Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create the cluster's channel directory", ex);
		}
	}

	private static Path shortTempRoot() {
		Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
		// macOS puts java.io.tmpdir under /var/folders/..., too long for a socket path
		return (tmp.toAbsolutePath().toString().length() <= MAX_SOCKET_PATH - 40) ? tmp : Path.of("/tmp");
	}

	/**
	 * Reads the address a master gave this process.
	 * @param environment the process environment
	 * @return the address, or {@code null} when this process has no master
	 */
	public static @Nullable ChannelAddress fromEnvironment(Map<String, String> environment) {
		String socket = environment.get(SOCKET_ENV);
		String secret = environment.get(SECRET_ENV);
		return (socket != null && secret != null) ? new ChannelAddress(Path.of(socket), secret) : null;
	}

	/**
	 * Adds this address to a worker's environment.
	 * @param environment the environment of the process about to start
	 */
	public void addTo(Map<String, String> environment) {
		environment.put(SOCKET_ENV, this.socket.toString());
		environment.put(SECRET_ENV, this.secret);
	}

	/**
	 * Removes the socket and its directory.
	 */
	public void delete() {
		try (Stream<Path> paths = Files.walk(this.socket.getParent())) {
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
