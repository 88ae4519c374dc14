package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Connections over sockets a test made itself.
 */
public final class TestConnections {

	private TestConnections() {
	}

	public static Connection direct(SocketChannel channel, FrameCodec codec) {
		return Connection.direct(channel, codec);
	}

	/**
	 * Two connected ends of a real Unix domain socket, as a worker's and the master's.
	 * @param codec the codec of both ends
	 * @return the pair
	 * @throws IOException if the socket cannot be made
	 */
	public static Pair pair(FrameCodec codec) throws IOException {
		Path directory = Files.createTempDirectory("connections");
		Path socket = directory.resolve("s");
		try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			server.bind(UnixDomainSocketAddress.of(socket));
			Connection worker = Connection.direct(SocketChannel.open(UnixDomainSocketAddress.of(socket)), codec);
			Connection master = Connection.direct(server.accept(), codec);
			master.neverWaitOnPeer();
			return new Pair(worker, master);
		}
		finally {
			Files.deleteIfExists(socket);
			Files.delete(directory);
		}
	}

	/**
	 * Two connected ends.
	 *
	 * @param worker the end that blocks, as a worker's does
	 * @param master the end that never waits on its peer, as the master's does
	 */
	public record Pair(Connection worker, Connection master) implements AutoCloseable {

		@Override
		public void close() {
			this.worker.close();
			this.master.close();
		}

	}

}
