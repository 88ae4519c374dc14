package io.bootcluster.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a retiring worker's listener from taking new connections before it closes, where
 * the kernel would reset what the closing listener still holds.
 * <p>
 * With {@code SO_REUSEPORT}, the kernel picks a listener for each connection when its
 * handshake begins. Closing a listener resets the connections in its accept queue and
 * the handshakes still under way on it, unless {@code net.ipv4.tcp_migrate_req} is 1, in
 * which case the kernel hands them to another listener of the group. Where it is 0, the
 * fence attaches a socket filter that drops every new handshake's first segment (SYN) on
 * that listener only, lets the handshakes already begun complete and be accepted, and
 * only then lets the listener close. A client whose SYN was dropped sends it again about
 * a second later, when the kernel picks a listener that is still open: that connection
 * waits, none is lost.
 * <p>
 * The filter needs a small native library, built with the module on Linux. Without it,
 * the fence does nothing and a retirement can still reset a connection in the moment the
 * listener closes, as the master's startup log explains.
 */
public final class HandshakeFence {

	private static final Log logger = LogFactory.getLog(HandshakeFence.class);

	/**
	 * How long a fenced listener keeps accepting the handshakes it began: one round trip
	 * would do, this covers slow networks and stays well under the second after which a
	 * client sends a dropped SYN again, so that it reaches an open listener.
	 */
	public static final Duration HANDSHAKE_GRACE = Duration.ofMillis(250);

	private static final Duration ACCEPT_QUEUE_WAIT = Duration.ofMillis(250);

	private static final Path MIGRATE_SYSCTL = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");

	private HandshakeFence() {
	}

	/**
	 * Whether the kernel hands the connections of a closing listener to another listener
	 * of its group ({@code net.ipv4.tcp_migrate_req} is 1), which makes the fence
	 * unnecessary.
	 * @return whether connections migrate
	 */
	public static boolean kernelMigratesConnections() {
		return "1".equals(connectionMigration());
	}

	/**
	 * Reads {@code net.ipv4.tcp_migrate_req}.
	 * @return its value, or {@code null} where the kernel has no such setting
	 */
	public static @Nullable String connectionMigration() {
		try {
			return Files.isReadable(MIGRATE_SYSCTL) ? Files.readString(MIGRATE_SYSCTL).trim() : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	/**
	 * Whether this platform can raise the fence. Loads the native library, the first time:
	 * only a worker, which raises the fence, needs it (and on Java 22 and later, the JVM
	 * warns that a library was loaded).
	 * @return whether the native library is loaded
	 */
	public static boolean isAvailable() {
		return NativeLibrary.LOADED;
	}

	/**
	 * Whether the native library is there for this platform, without loading it: what the
	 * master needs to know about its workers.
	 * @return whether workers will be able to raise the fence
	 */
	public static boolean isPackaged() {
		return libraryResource() != null && HandshakeFence.class.getResource(libraryResource()) != null;
	}

	/**
	 * Whether a retirement on this machine loses no connection that reached the worker:
	 * either the kernel migrates them, or the fence keeps them from arriving.
	 * @return whether retirements are lossless
	 */
	public static boolean protectsRetirement() {
		return kernelMigratesConnections() || isAvailable();
	}

	/**
	 * Fences the given listeners and returns once the handshakes they began have been
	 * accepted, their accept queues are empty, and closing them resets nothing. Does
	 * nothing where the kernel migrates connections, or where the fence is not available.
	 * @param descriptors descriptors of listening sockets whose server still accepts; -1
	 * for one that could not be found, which is skipped
	 */
	static void raise(List<Integer> descriptors) {
		List<Integer> listeners = descriptors.stream().filter((descriptor) -> descriptor >= 0).toList();
		if (listeners.isEmpty() || kernelMigratesConnections() || !isAvailable()) {
			return;
		}
		listeners.forEach(HandshakeFence::fence);
		sleep(HANDSHAKE_GRACE);
		if (!Polling.await(() -> listeners.stream().allMatch((listener) -> acceptQueueLength(listener) <= 0),
				ACCEPT_QUEUE_WAIT)) {
			logger.warn("Connections still wait in a retiring listener's accept queue (its server takes no more, "
					+ "at its connection limit?): closing it resets them");
		}
	}

	/**
	 * Attaches the filter that drops new handshakes to one listener.
	 * @param listener descriptor of a listening socket
	 * @return whether the filter is attached
	 */
	static boolean fence(int listener) {
		int error = dropNewHandshakes(listener);
		if (error != 0) {
			logger.warn("Could not fence listener " + listener + " (errno " + error
					+ "): connections arriving while it closes may be reset");
		}
		return error == 0;
	}

	/**
	 * Finds the descriptor of one of the JDK's listening channels.
	 * @param channel an open channel
	 * @return its descriptor, or -1 when the fence is not available or the channel hides it
	 */
	static int descriptorOf(ServerSocketChannel channel) {
		return isAvailable() ? descriptor(channel) : -1;
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static @Nullable String libraryResource() {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		return os.contains("linux") ? "/META-INF/native/linux-" + System.getProperty("os.arch") + "/libbootcluster.so"
				: null;
	}

	private static boolean loadLibrary() {
		String resource = libraryResource();
		if (resource == null) {
			return false;
		}
		try (InputStream library = HandshakeFence.class.getResourceAsStream(resource)) {
			if (library == null) {
				logger.debug("No native library at " + resource + ": retiring workers are not fenced");
				return false;
			}
			// The library must be a file to be loaded; once mapped, the file is not needed
			Path file = extractPrivately(library);
			try {
				System.load(file.toAbsolutePath().toString());
			}
			finally {
				Files.deleteIfExists(file);
				Files.deleteIfExists(file.getParent());
			}
			return true;
		}
		catch (IOException | LinkageError | SecurityException ex) {
			logger.debug("Could not load the native library at " + resource + ": retiring workers are not fenced",
					ex);
			return false;
		}
	}

	/**
	 * Writes the library where only this user can reach it, before every JVM of the cluster
	 * loads it: in a fresh directory that only its owner may enter, into a file only its
	 * owner may read or write, created so and never replaced (a copy that replaces a file
	 * gives the new one the umask's permissions). Checked before it is loaded.
	 * @param library the library's bytes
	 * @return the file
	 * @throws IOException if it cannot be written, or is not private
	 */
	static Path extractPrivately(InputStream library) throws IOException {
		Path directory = Files.createTempDirectory("bootcluster-",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Path file = directory.resolve("libbootcluster.so");
		Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
			library.transferTo(out);
		}
		requireOwnerOnly(directory, "rwx------");
		requireOwnerOnly(file, "rw-------");
		return file;
	}

	private static void requireOwnerOnly(Path path, String allowed) throws IOException {
		Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
		if (!PosixFilePermissions.fromString(allowed).containsAll(permissions)) {
			throw new IOException(path + " is " + PosixFilePermissions.toString(permissions) + ", not private");
		}
	}

	// Loaded when first needed, not when the class is: the master reads the sysctl and
	// whether the library is packaged, and loads nothing
	private static final class NativeLibrary {

		static final boolean LOADED = loadLibrary();

	}

	private static native int dropNewHandshakes(int fd);

	static native int acceptQueueLength(int fd);

	private static native int descriptor(ServerSocketChannel channel);

}
