package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The master's end of the channel on a real Unix domain socket.
 */
class ChannelServerTests {

	private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

	private final FrameCodec codec = new FrameCodec(256);

	private ChannelAddress address;

	private ChannelServer server;

	@BeforeEach
	void start() throws IOException {
		this.address = ChannelAddress.create();
		this.server = ChannelServer.start(this.address, this.codec, new ChannelServer.Handler() {

			@Override
			public boolean accept(Connection connection, Message.Hello hello) {
				ChannelServerTests.this.seen.add("accept " + hello.workerId());
				return hello.workerId() != 99 && connection.trySend(new Message.Welcome(42));
			}

			@Override
			public void received(Connection connection, Message message) {
				ChannelServerTests.this.seen.add("received " + message);
			}

			@Override
			public void closed(Connection connection) {
				ChannelServerTests.this.seen.add("closed");
			}

			@Override
			public Consumer<SocketChannel> attach(Message.Attach attach) {
				ChannelServerTests.this.seen.add("attach " + attach.workerId());
				if (attach.workerId() == 99) {
					return null;
				}
				if (attach.replyRoute() > 0) {
					// Slow to take it: a welcome written before would reach the worker first
					return (channel) -> {
						sleep(100);
						ChannelServerTests.this.seen.add("route " + attach.replyRoute() + " taken");
					};
				}
				// Answers what it reads with what it read, as a handler that took it over
				return (channel) -> DaemonThreads.start("test-attached", () -> {
					Connection taken = Connection.direct(channel, ChannelServerTests.this.codec);
					try {
						Message message;
						while ((message = taken.receive()) != null) {
							taken.trySend(message);
						}
					}
					catch (IOException ex) {
						// Closed by the test
					}
				});
			}

		});
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void socketLivesInADirectoryOnlyItsOwnerCanEnter() throws IOException {
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(this.address.socket().getParent())))
			.isEqualTo("rwx------");
		this.server.close();
		assertThat(this.address.socket().getParent()).doesNotExist();
	}

	@Test
	void anAttachedConnectionIsWelcomedThenHandedOver() throws Exception {
		Connection attached = ChannelClient.attach(this.address, this.codec, 7, Duration.ofSeconds(5));
		assertThat(this.seen.poll(5, TimeUnit.SECONDS)).isEqualTo("attach 7");
		attached.send(new Message.Ready(true));
		assertThat(attached.receive()).isEqualTo(new Message.Ready(true));
		attached.close();
		// Not a worker's channel: its end is none of the handler's business
		assertThat(this.seen.poll(200, TimeUnit.MILLISECONDS)).isNull();
	}

	@Test
	void aReplyRouteIsTakenBeforeItsWorkerIsWelcomed() throws Exception {
		Connection route = ChannelClient.attachReplyRoute(this.address, this.codec, 7, 3, Duration.ofSeconds(5));
		// Welcomed: a request may name the route at once, so it was taken already
		assertThat(this.seen).containsExactly("attach 7", "route 3 taken");
		route.close();
	}

	@Test
	void aReplyRouteIsRefusedByAMasterThatDoesNotSayItWritesOnIt() {
		// As a master of an earlier build would: it welcomes the connection as any other
		assertThatIOException()
			.isThrownBy(() -> ChannelClient.attachReplyRoute(this.address, this.codec, 7, 0, Duration.ofSeconds(5)))
			.withMessageContaining("writes no answers");
	}

	@Test
	void anAttachedConnectionTheHandlerRefusesIsClosedUnanswered() {
		assertThatIOException().isThrownBy(() -> ChannelClient.attach(this.address, this.codec, 99, Duration.ofSeconds(5)))
			.withMessageContaining("refused");
	}

	@Test
	void anAttachedConnectionWithoutTheSecretIsRefusedBeforeTheHandlerHearsOfIt() throws Exception {
		ChannelAddress wrong = new ChannelAddress(this.address.socket(), "not-the-secret");
		assertThatIOException().isThrownBy(() -> ChannelClient.attach(wrong, this.codec, 7, Duration.ofSeconds(5)));
		assertThat(this.seen.poll(200, TimeUnit.MILLISECONDS)).isNull();
	}

	@Test
	void workerWithTheSecretIsWelcomedAndHeardInOrder() throws Exception {
		ChannelClient.Session session = ChannelClient.connect(this.address, this.codec, 7, Duration.ofSeconds(5));
		assertThat(session.masterPid()).isEqualTo(42);
		session.connection().send(new Message.Listening("::", 8080, true));
		session.connection().send(new Message.Disconnect("first"));
		session.connection().close();
		assertThat(next(4)).containsExactly("accept 7", "received Listening[host=::, port=8080, reusePort=true]",
				"received Disconnect[reason=first]", "closed");
	}

	@Test
	void connectionWithoutTheSecretIsClosedBeforeTheHandlerSeesIt() throws Exception {
		ChannelAddress wrong = new ChannelAddress(this.address.socket(), "guess");
		assertThatIOException().isThrownBy(() -> ChannelClient.connect(wrong, this.codec, 1, Duration.ofSeconds(5)))
			.withMessageContaining("Could not join the cluster's master");
		assertThat(this.seen.poll(200, TimeUnit.MILLISECONDS)).isNull();
	}

	@Test
	void connectionTheHandlerRejectsIsClosedUnanswered() {
		assertThatIOException().isThrownBy(() -> ChannelClient.connect(this.address, this.codec, 99, Duration.ofSeconds(5)))
			.withMessageContaining("refused");
		assertThat(this.seen).containsExactly("accept 99");
	}

	@Test
	void helloWithoutASecretIsRefused() throws Exception {
		try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			raw.connect(UnixDomainSocketAddress.of(this.address.socket()));
			this.codec.write(raw, new Message.Hello(5, 1, null));
			assertTimeoutPreemptively(Duration.ofSeconds(5),
					() -> assertThat(raw.read(ByteBuffer.allocate(16))).isEqualTo(-1));
		}
		assertThat(this.seen.poll(200, TimeUnit.MILLISECONDS)).isNull();
	}

	@Test
	void helloWithMoreFramesBeforeTheWelcomeIsRefused() throws Exception {
		try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			raw.connect(UnixDomainSocketAddress.of(this.address.socket()));
			ByteBuffer hello = this.codec.encode(new Message.Hello(5, 1, this.address.secret()));
			ByteBuffer ready = this.codec.encode(new Message.Ready(true));
			raw.write(new ByteBuffer[] { hello, ready });
			assertTimeoutPreemptively(Duration.ofSeconds(5),
					() -> assertThat(raw.read(ByteBuffer.allocate(16))).isEqualTo(-1));
		}
		assertThat(this.seen.poll(200, TimeUnit.MILLISECONDS)).isNull();
	}

	@Test
	void oversizedFrameClosesOnlyThatConnection() throws Exception {
		ChannelClient.Session session = ChannelClient.connect(this.address, this.codec, 3, Duration.ofSeconds(5));
		assertThat(next(1)).containsExactly("accept 3");
		try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			raw.connect(UnixDomainSocketAddress.of(this.address.socket()));
			new FrameCodec(1024).write(raw, new Message.Hello(4, 1, this.address.secret()));
			assertThat(next(1)).containsExactly("accept 4");
			raw.write(ByteBuffer.allocate(4).putInt(0, 100_000));
			assertThat(next(1)).containsExactly("closed");
		}
		session.connection().send(new Message.Disconnect("still here"));
		assertThat(next(1)).containsExactly("received Disconnect[reason=still here]");
	}

	private List<String> next(int count) throws InterruptedException {
		List<String> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String event = this.seen.poll(5, TimeUnit.SECONDS);
			assertThat(event).as("event %d of %d after %s", i + 1, count, events).isNotNull();
			events.add(event);
		}
		return events;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
