package io.bootcluster.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fence on real sockets: what it drops, what it lets through, and listeners retired
 * one after another under a storm of new connections without a single reset.
 */
class HandshakeFenceTests {

	private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

	@BeforeAll
	static void requireNativeLibrary() {
		assumeTrue(HandshakeFence.isAvailable(), "The native library is built on Linux with a C compiler");
	}

	@Test
	void libraryIsWrittenWhereOnlyItsOwnerCanReachIt() throws Exception {
		Path file = HandshakeFence.extractPrivately(new ByteArrayInputStream(new byte[] { 0x7f, 'E', 'L', 'F' }));
		try {
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
				.isEqualTo("rwx------");
			assertThat(Files.readAllBytes(file)).containsExactly(0x7f, 'E', 'L', 'F');
		}
		finally {
			Files.delete(file);
			Files.delete(file.getParent());
		}
	}

	@Test
	void fencedListenerDropsNewHandshakesAndKeepsItsConnections() throws Exception {
		try (ServerSocketChannel listener = ServerSocketChannel.open().bind(LOOPBACK);
				Socket established = new Socket(); Socket queued = new Socket(); Socket refused = new Socket()) {
			InetSocketAddress address = (InetSocketAddress) listener.getLocalAddress();
			established.connect(address, 2000);
			try (SocketChannel accepted = listener.accept()) {
				queued.connect(address, 2000);
				int fd = HandshakeFence.descriptorOf(listener);
				assertThat(HandshakeFence.acceptQueueLength(fd)).isEqualTo(1);
				assertThat(HandshakeFence.fence(fd)).isTrue();

				assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> refused.connect(address, 500));
				assertThat(listener.accept()).as("a handshake completed before the fence").isNotNull().satisfies(SocketChannel::close);
				assertThat(HandshakeFence.acceptQueueLength(fd)).isZero();
				established.getOutputStream().write(42);
				accepted.socket().setSoTimeout(2000);
				assertThat(accepted.socket().getInputStream().read()).isEqualTo(42);
			}
		}
	}

	@Test
	void listenersRetiredUnderConnectionChurnResetNoConnection() throws Exception {
		ExecutorService handlers = Executors.newCachedThreadPool();
		List<String> failures = new ArrayList<>();
		AtomicInteger served = new AtomicInteger();
		AtomicInteger servedByRetired = new AtomicInteger();
		try (ServerSocketChannel staying = reusePortListener(0)) {
			int port = ((InetSocketAddress) staying.getLocalAddress()).getPort();
			startAcceptor(staying, handlers, served);
			Churn churn = new Churn(port, 8);
			try {
				for (int round = 0; round < 6; round++) {
					ServerSocketChannel retiring = reusePortListener(port);
					AtomicInteger servedHere = new AtomicInteger();
					startAcceptor(retiring, handlers, servedHere);
					Thread.sleep(300);
					HandshakeFence.raise(List.of(HandshakeFence.descriptorOf(retiring)));
					retiring.close();
					servedByRetired.addAndGet(servedHere.get());
					// A client whose SYN the fence dropped retries it after about a second;
					// let it reach the listener that stays, not the next fenced one
					Thread.sleep(1200);
				}
			}
			finally {
				failures.addAll(churn.stop());
				handlers.shutdownNow();
			}
		}
		assertThat(servedByRetired.get()).as("connections served by listeners that retired").isPositive();
		assertThat(failures).as("failed connections, out of %d served", served.get() + servedByRetired.get())
			.isEmpty();
	}

	private static ServerSocketChannel reusePortListener(int port) throws IOException {
		ServerSocketChannel channel = ServerSocketChannel.open();
		channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
		return channel.bind(new InetSocketAddress("127.0.0.1", port), 128);
	}

	// Serves each connection one response, as a server would; ends when the listener closes
	private static void startAcceptor(ServerSocketChannel listener, ExecutorService handlers, AtomicInteger served) {
		Thread acceptor = new Thread(() -> {
			try {
				while (true) {
					SocketChannel connection = listener.accept();
					served.incrementAndGet();
					handlers.execute(() -> respond(connection));
				}
			}
			catch (IOException ex) {
				// Closed: retired
			}
		}, "acceptor");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	private static void respond(SocketChannel connection) {
		try (Socket socket = connection.socket()) {
			socket.getInputStream().read();
			socket.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
		}
		catch (IOException ex) {
			// The client sees it
		}
	}

	/**
	 * Clients that each open a connection, send a byte, read the answer and close, over
	 * and over.
	 */
	private static final class Churn {

		private final Map<String, Integer> failures = new ConcurrentHashMap<>();

		private final List<Thread> clients = new ArrayList<>();

		private volatile boolean running = true;

		Churn(int port, int clients) {
			for (int i = 0; i < clients; i++) {
				Thread client = new Thread(() -> run(port), "churn-" + i);
				client.setDaemon(true);
				client.start();
				this.clients.add(client);
			}
		}

		private void run(int port) {
			byte[] answer = new byte[2];
			while (this.running) {
				try (Socket socket = new Socket()) {
					socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
					socket.setSoTimeout(10_000);
					OutputStream out = socket.getOutputStream();
					out.write(1);
					InputStream in = socket.getInputStream();
					if (in.readNBytes(answer, 0, 2) != 2) {
						this.failures.merge("no answer", 1, Integer::sum);
					}
				}
				catch (IOException ex) {
					this.failures.merge(ex.toString(), 1, Integer::sum);
				}
			}
		}

		List<String> stop() throws InterruptedException {
			this.running = false;
			for (Thread client : this.clients) {
				client.join(15_000);
			}
			List<String> described = new ArrayList<>();
			this.failures.forEach((failure, count) -> described.add(count + " x " + failure));
			return described;
		}

	}

}
