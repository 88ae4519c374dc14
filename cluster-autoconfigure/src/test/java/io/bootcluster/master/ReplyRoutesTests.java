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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.StringNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class ReplyRoutesTests {

	private final FrameCodec codec = new FrameCodec(4 * 1024 * 1024);

	private final ReplyRoutes routes = new ReplyRoutes(this.codec);

	private final List<Connection> workerEnds = new ArrayList<>();

	private final List<SocketChannel> mastersEnds = new ArrayList<>();

	@BeforeEach
	void joinWorkers() {
		this.routes.join(1);
		this.routes.join(2);
	}

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
	void routeTheWorkerClosedIsClosedWhenItAttachesAnother() throws IOException {
		Connection closed = attach(1, 1);
		SocketChannel mastersEnd = this.mastersEnds.get(0);
		closed.close();
		assertThat(mastersEnd.isOpen()).isTrue();
		attach(1, 2);
		assertThat(mastersEnd.isOpen()).isFalse();
		assertThat(this.routes.send(reply(1, 2, 8))).isTrue();
	}

	@Test
	void answerLargerThanTheSocketTakesAtOnceArrivesWhole() throws IOException {
		Connection route = attach(1, 1);
		String large = "x".repeat(3 * 1024 * 1024);
		assertThat(this.routes.send(new Message.UserReply(7, 1, null, StringNode.valueOf(large), 1))).isTrue();
		Message.UserReply answer = (Message.UserReply) route.receive();
		assertThat(answer.payload().asString()).isEqualTo(large);
		// The route carries on
		assertThat(this.routes.send(reply(1, 1, 8))).isTrue();
		assertThat(((Message.UserReply) route.receive()).requestId()).isEqualTo(8);
	}

	@Test
	void routeOfAWorkerNotOnTheChannelIsClosed() throws IOException {
		attach(3, 1);
		assertThat(this.mastersEnds.get(0).isOpen()).isFalse();
		this.routes.removeAll(1);
		attach(1, 1);
		assertThat(this.mastersEnds.get(1).isOpen()).isFalse();
		assertThat(this.routes.send(reply(1, 1, 7))).isFalse();
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
			SocketChannel mastersEnd = server.accept();
			this.mastersEnds.add(mastersEnd);
			this.routes.add(worker, route, mastersEnd);
			Connection connection = TestConnections.direct(workerEnd, this.codec);
			this.workerEnds.add(connection);
			return connection;
		}
	}

}
