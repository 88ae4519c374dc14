package io.bootcluster.internal.ipc;

import java.nio.channels.SocketChannel;

/**
 * Connections over sockets a test made itself.
 */
public final class TestConnections {

	private TestConnections() {
	}

	public static Connection direct(SocketChannel channel, FrameCodec codec) {
		return Connection.direct(channel, codec);
	}

}
