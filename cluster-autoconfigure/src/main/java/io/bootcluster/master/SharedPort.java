package io.bootcluster.master;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

import org.jspecify.annotations.Nullable;

/**
 * The port the workers share, as the master sees it before any worker binds it: whether
 * the JDK can share it at all, a free one for {@code server.port=0}, and whether something
 * holds it already. Stateless.
 */
final class SharedPort {

	private SharedPort() {
	}

	static boolean reusePortSupported() {
		try (ServerSocketChannel channel = ServerSocketChannel.open()) {
			return channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * A port free now, chosen for the whole cluster, as Node's {@code listen(0)} does.
	 * @return the port
	 */
	static int free() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not find a free port for server.port=0", ex);
		}
	}

	/**
	 * Makes sure nothing holds the port. With {@code SO_REUSEPORT}, workers would quietly
	 * share it with whatever already holds it, another cluster of this application
	 * included: a plain bind tells.
	 * @param host the address to bind, or {@code null} for every address
	 * @param port the port
	 * @throws PortTakenException if something holds it
	 */
	static void requireFree(@Nullable String host, int port) {
		try (ServerSocketChannel channel = ServerSocketChannel.open()) {
			channel.bind((host != null) ? new InetSocketAddress(host, port) : new InetSocketAddress(port));
		}
		catch (IOException ex) {
			throw new PortTakenException(port, ex);
		}
	}

	/**
	 * Whether nothing holds the port on any address.
	 * @param port the port
	 * @return whether it is free
	 */
	static boolean isFree(int port) {
		try {
			requireFree(null, port);
			return true;
		}
		catch (PortTakenException ex) {
			return false;
		}
	}

}
