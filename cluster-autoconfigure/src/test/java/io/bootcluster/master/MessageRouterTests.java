package io.bootcluster.master;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.TestConnections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.IntNode;

import static org.assertj.core.api.Assertions.assertThat;

// An answer that went astray would leave the test waiting on the route
@Timeout(10)
class MessageRouterTests {

	private final FrameCodec codec = new FrameCodec(1024);

	private final MessageRouter router = new MessageRouter((event) -> {
	}, this.codec);

	private TestConnections.Pair asker;

	private TestConnections.Pair answerer;

	private Connection route;

	@TempDir
	Path directory;

	@BeforeEach
	void joinTwoWorkers() throws IOException {
		this.asker = TestConnections.pair(this.codec);
		this.answerer = TestConnections.pair(this.codec);
		this.router.join(1, this.asker.master());
		this.router.join(2, this.answerer.master());
		Path socket = this.directory.resolve("route");
		try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			server.bind(UnixDomainSocketAddress.of(socket));
			SocketChannel workerEnd = SocketChannel.open(UnixDomainSocketAddress.of(socket));
			this.router.addReplyRoute(1, 3, server.accept());
			this.route = TestConnections.direct(workerEnd, this.codec);
		}
	}

	@AfterEach
	void close() {
		this.asker.close();
		this.answerer.close();
		this.route.close();
	}

	@Test
	void answerToAnAskReachesTheAskersRouteWhetherTheAnsweringWorkerEchoesTheRouteOrNot() throws IOException {
		for (boolean echoes : new boolean[] { true, false }) {
			this.router.relay(this.asker.master(), new Message.UserMessage("t", IntNode.valueOf(1), 1, 2, 5, 3));
			Message.UserMessage forwarded = nextMessage(this.answerer.worker());
			assertThat(forwarded.via()).isEqualTo(3);
			// A worker of an older build answers with the id alone
			Message.UserReply answer = echoes ? Message.UserReply.to(forwarded, null, IntNode.valueOf(9))
					: new Message.UserReply(forwarded.requestId(), 1, null, IntNode.valueOf(9), 0);
			this.router.relay(this.answerer.master(), answer);
			Message.UserReply received = (Message.UserReply) this.route.receive();
			assertThat(received.requestId()).isEqualTo(5);
			assertThat(received.payload().asInt()).isEqualTo(9);
		}
	}

	@Test
	void requestWithoutARouteIsForwardedAsItCameAndAnsweredOnTheMainChannel() throws IOException {
		this.router.relay(this.asker.master(), new Message.UserMessage("t", IntNode.valueOf(1), 1, 2, 6));
		Message.UserMessage forwarded = nextMessage(this.answerer.worker());
		assertThat(forwarded.requestId()).isEqualTo(6);
		this.router.relay(this.answerer.master(), Message.UserReply.to(forwarded, null, IntNode.valueOf(9)));
		Message received;
		while ((received = this.asker.worker().receive()) instanceof Message.Members) {
			// Who is on the channel, as each worker joined
		}
		assertThat(received).isEqualTo(new Message.UserReply(6, 1, null, IntNode.valueOf(9), 0));
	}

	private static Message.UserMessage nextMessage(Connection worker) throws IOException {
		Message message;
		while ((message = worker.receive()) instanceof Message.Members) {
			// Who is on the channel, as each worker joined
		}
		return (Message.UserMessage) message;
	}

}
