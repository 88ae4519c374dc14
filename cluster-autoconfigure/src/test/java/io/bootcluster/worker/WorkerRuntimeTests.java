package io.bootcluster.worker;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.TestConnections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker's runtime, driven as its threads drive it, over a real socket.
 */
class WorkerRuntimeTests {

	private static final WorkerOptions REPLACE = new WorkerOptions(UncaughtExceptionPolicy.REPLACE, 0, 0,
			Duration.ofSeconds(1));

	private final FrameCodec codec = new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE);

	@TempDir
	Path directory;

	@Test
	void aReplacementIsAskedForOnce() throws Exception {
		Path socket = this.directory.resolve("master.sock");
		try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			server.bind(UnixDomainSocketAddress.of(socket));
			SocketChannel workerEnd = SocketChannel.open(UnixDomainSocketAddress.of(socket));
			try (SocketChannel masterEnd = server.accept()) {
				Connection connection = TestConnections.direct(workerEnd, this.codec);
				WorkerRuntime runtime = runtime();
				runtime.connected(connection);
				runtime.failed("thread \"a\" died");
				runtime.failed("thread \"b\" died");
				connection.close();
				assertThat(replacementRequests(masterEnd)).isEqualTo(1);
			}
		}
	}

	private WorkerRuntime runtime() {
		return new WorkerRuntime(1, this.directory.resolve("master.sock"), REPLACE,
				false, new RecordedEnds());
	}

	private int replacementRequests(SocketChannel masterEnd) throws IOException {
		int count = 0;
		Message message;
		while ((message = this.codec.read(masterEnd)) != null) {
			if (message instanceof Message.ReplaceMe) {
				count++;
			}
		}
		return count;
	}

}
