package io.bootcluster.master;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.TestConnections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.IntNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class ReplyRoutesTests {

	private final FrameCodec codec = new FrameCodec(1024);

	private final ReplyRoutes routes = new ReplyRoutes(this.codec);

	private final List<Connection> workerEnds = new ArrayList<>();

	@TempDir
	Path directory;

	@AfterEach
	void close() {
		this.workerEnds.forEach(Connection::close);
	}

	@Test
	void answerGoesOutOnTheRouteItsRequestNamed() throws IOException {
		Connection first = attach(1, 1);
		Connection second = attach(1, 2);
		assertThat(this.routes.send(reply(1, 2, 7))).isTrue();
		assertThat(this.routes.send(reply(1, 1, 8))).isTrue();
		assertThat(((Message.UserReply) second.receive()).requestId()).isEqualTo(7);
		assertThat(((Message.UserReply) first.receive()).requestId()).isEqualTo(8);
	}

	@Test
	void answerForARouteThatIsNotThereIsNotSent() throws IOException {
		attach(1, 1);
		assertThat(this.routes.send(reply(1, 2, 7))).isFalse();
		assertThat(this.routes.send(reply(2, 1, 7))).isFalse();
	}

	@Test
	void routeTheWorkerClosedIsDroppedWhenItAttachesAnother() throws IOException {
		Connection closed = attach(1, 1);
		closed.close();
		attach(1, 2);
		assertThat(this.routes.send(reply(1, 1, 7))).isFalse();
		assertThat(this.routes.send(reply(1, 2, 8))).isTrue();
	}

	@Test
	void routeOnWhichTheWorkerSendsIsClosed() throws IOException {
		Connection talking = attach(1, 1);
		talking.send(new Message.Heartbeat(0, 0, 0, 0));
		attach(1, 2);
		assertThat(this.routes.send(reply(1, 1, 7))).isFalse();
		// Closed with what the worker sent unread: a reset
		assertThatIOException().isThrownBy(talking::receive);
	}

	@Test
	void everyRouteOfAWorkerClosesWithItsChannel() throws IOException {
		Connection first = attach(1, 1);
		Connection other = attach(2, 1);
		this.routes.removeAll(1);
		assertThat(first.receive()).isNull();
		assertThat(this.routes.send(reply(1, 1, 7))).isFalse();
		assertThat(this.routes.send(reply(2, 1, 8))).isTrue();
		assertThat(((Message.UserReply) other.receive()).requestId()).isEqualTo(8);
	}

	private static Message.UserReply reply(int worker, long route, long requestId) {
		return new Message.UserReply(requestId, worker, null, IntNode.valueOf(1), route);
	}

	// The worker's end of a new route, the master's end taken by the routes
	private Connection attach(int worker, long route) throws IOException {
		Path socket = this.directory.resolve("route-" + worker + "-" + route);
		try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			server.bind(UnixDomainSocketAddress.of(socket));
			SocketChannel workerEnd = SocketChannel.open(UnixDomainSocketAddress.of(socket));
			this.routes.add(worker, route, server.accept());
			Connection connection = TestConnections.direct(workerEnd, this.codec);
			this.workerEnds.add(connection);
			return connection;
		}
	}

}
