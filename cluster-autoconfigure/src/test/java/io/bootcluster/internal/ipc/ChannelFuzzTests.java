package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Random, truncated and oversized frames thrown at the master's end of the channel, before
 * and after the secret: each bad connection is closed, and the server carries on.
 */
class ChannelFuzzTests {

	private static final int ROUNDS = 400;

	private final Random random = new Random(20261126);

	private final BlockingQueue<Message> received = new LinkedBlockingQueue<>();

	private final AtomicReference<Connection> lastAccepted = new AtomicReference<>();

	private ChannelAddress address;

	private ChannelServer server;

	@BeforeEach
	void start() throws IOException {
		this.address = ChannelAddress.create();
		this.server = ChannelServer.start(this.address, new FrameCodec(128 * 1024), new ChannelServer.Handler() {

			@Override
			public boolean accept(Connection connection, Message.Hello hello) {
				ChannelFuzzTests.this.lastAccepted.set(connection);
				return connection.trySend(new Message.Welcome(1));
			}

			@Override
			public void received(Connection connection, Message message) {
				ChannelFuzzTests.this.received.add(message);
			}

			@Override
			public void closed(Connection connection) {
			}

		});
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void garbageNeverStopsTheServer() throws Exception {
		for (int round = 0; round < ROUNDS; round++) {
			try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
				channel.connect(UnixDomainSocketAddress.of(this.address.socket()));
				switch (round % 4) {
					case 0 -> write(channel, randomBytes(this.random.nextInt(64)));
					case 1 -> write(channel, frame(randomBytes(this.random.nextInt(200))));
					case 2 -> {
						hello(channel);
						write(channel, frame(randomJson()));
					}
					default -> {
						hello(channel);
						byte[] frame = frame(new FrameCodec(1024).encode(new Message.Listening("::", 1, true)).array());
						write(channel, java.util.Arrays.copyOf(frame, this.random.nextInt(frame.length)));
					}
				}
			}
			catch (IOException ex) {
				// The server may close first: that is the point
			}
		}
		ChannelClient.Session session = ChannelClient.connect(this.address, new FrameCodec(1024), 7,
				Duration.ofSeconds(5));
		session.connection().send(new Message.Ready(true));
		assertThat(this.received.poll(5, TimeUnit.SECONDS)).isEqualTo(new Message.Ready(true));
		// The readers of the connections that ended end too
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (channelThreads() >= 20 && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(channelThreads()).isLessThan(20);
	}

	@Test
	void workerThatStopsReadingIsRefusedMoreThanTheBudget() throws Exception {
		ChannelClient.Session silent = ChannelClient.connect(this.address, new FrameCodec(128 * 1024), 3,
				Duration.ofSeconds(5));
		Connection toSilent = this.lastAccepted.get();
		Message.Disconnect large = new Message.Disconnect("x".repeat(60 * 1024));
		int sent = 0;
		try {
			while (sent < 10_000) {
				toSilent.send(large);
				sent++;
			}
		}
		catch (IOException ex) {
			assertThat(ex).hasMessageStartingWith("The peer does not read");
		}
		assertThat(sent).isBetween(200, 400);
		assertThatIOException().isThrownBy(() -> toSilent.send(large));
		silent.connection().close();
	}

	private void hello(SocketChannel channel) throws IOException {
		new FrameCodec(1024).write(channel, new Message.Hello(this.random.nextInt(100), 1, this.address.secret()));
		channel.read(ByteBuffer.allocate(256));
	}

	private byte[] randomJson() {
		String[] pieces = { "{", "}", "\"type\"", ":", "\"listening\"", "\"heartbeat\"", "[", "]", "1", "null", ",",
				"\"port\"", "\"x\"" };
		StringBuilder json = new StringBuilder();
		for (int i = 0; i < 1 + this.random.nextInt(12); i++) {
			json.append(pieces[this.random.nextInt(pieces.length)]);
		}
		return json.toString().getBytes(StandardCharsets.UTF_8);
	}

	private byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		this.random.nextBytes(bytes);
		return bytes;
	}

	private static byte[] frame(byte[] body) {
		return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
	}

	private static void write(SocketChannel channel, byte[] bytes) throws IOException {
		ByteBuffer buffer = ByteBuffer.wrap(bytes);
		while (buffer.hasRemaining()) {
			channel.write(buffer);
		}
	}

	private static long channelThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().startsWith("cluster-ipc-"))
			.count();
	}

}
