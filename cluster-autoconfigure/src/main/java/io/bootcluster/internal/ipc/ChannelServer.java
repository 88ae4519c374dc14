package io.bootcluster.internal.ipc;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The master's end of the channel: accepts worker connections on the Unix domain socket,
 * checks each one's {@link Message.Hello handshake}, then reads its messages on a thread of
 * its own. A worker's own channel {@link Connection#neverWaitOnPeer() never makes the
 * master wait} on the worker; a further connection a worker {@link Message.Attach
 * attaches}, where it asks and waits for each answer, is handed over to the handler once
 * welcomed.
 */
public final class ChannelServer implements Closeable {

	private static final Log logger = LogFactory.getLog(ChannelServer.class);

	/** How long a new connection has to present its hello before it is dropped. */
	static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

	private final ServerSocketChannel serverChannel;

	private final ChannelAddress address;

	private final FrameCodec codec;

	private final Handler handler;

	private ChannelServer(ServerSocketChannel serverChannel, ChannelAddress address, FrameCodec codec,
			Handler handler) {
		this.serverChannel = serverChannel;
		this.address = address;
		this.codec = codec;
		this.handler = handler;
	}

	/**
	 * Binds the socket and starts accepting connections.
	 * @param address where to listen and which secret to demand
	 * @param codec the frame codec
	 * @param handler what to do with connections and their messages
	 * @return the running server
	 * @throws IOException if the socket cannot be bound
	 */
	public static ChannelServer start(ChannelAddress address, FrameCodec codec, Handler handler) throws IOException {
		ServerSocketChannel serverChannel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		serverChannel.bind(UnixDomainSocketAddress.of(address.socket()));
		ChannelServer server = new ChannelServer(serverChannel, address, codec, handler);
		AcceptLoop.Source source = new AcceptLoop.Source() {

			@Override
			public SocketChannel accept() throws IOException {
				return serverChannel.accept();
			}

			@Override
			public boolean isOpen() {
				return serverChannel.isOpen();
			}

		};
		DaemonThreads.start("cluster-ipc-accept",
				new AcceptLoop(source, server::startReading, (duration) -> Thread.sleep(duration.toMillis())));
		return server;
	}

	// On the accept loop's thread: a thread that cannot be started fails the loop's call
	private void startReading(SocketChannel channel) {
		try {
			DaemonThreads.start("cluster-ipc-reader", () -> serve(channel));
		}
		catch (RuntimeException | Error ex) {
			Connection.direct(channel, this.codec).close();
			throw ex;
		}
	}

	private void serve(SocketChannel channel) {
		Connection connection = Connection.direct(channel, this.codec);
		Message first = handshake(connection);
		if (first != null && connection.hasUnread()) {
			// The peer waits for the welcome: what came with the hello was never meant for us
			logger.warn("Refused a channel connection that sent more than its first frame before it was welcomed");
			first = null;
		}
		if (first instanceof Message.Hello hello) {
			serveWorker(connection, hello);
		}
		else if (first instanceof Message.Attach attach) {
			handOver(connection, channel, attach);
		}
		else {
			connection.close();
		}
	}

	private void serveWorker(Connection connection, Message.Hello hello) {
		try {
			connection.neverWaitOnPeer();
			if (!this.handler.accept(connection, hello)) {
				connection.close();
				return;
			}
		}
		catch (IOException ex) {
			logger.warn("Closing the channel of worker " + hello.workerId() + ": " + ex.getMessage());
			connection.close();
			return;
		}
		catch (RuntimeException ex) {
			logger.error("Closing a channel connection after an unexpected failure", ex);
			connection.close();
			// The handler may have taken it before the failure (a handshake answered late)
			this.handler.closed(connection);
			return;
		}
		Thread.currentThread().setName("cluster-ipc-worker-" + hello.workerId());
		new ReadLoop(connection, "worker " + hello.workerId(), (message) -> this.handler.received(connection, message),
				(failure) -> this.handler.closed(connection))
			.run();
	}

	// The worker asks and waits for each answer: whoever takes the channel answers. A reply
	// route is taken before the welcome, since the worker may name it in a request as soon
	// as it is welcomed
	private void handOver(Connection connection, SocketChannel channel, Message.Attach attach) {
		try {
			Consumer<SocketChannel> taker = this.handler.attach(attach);
			boolean replyRoute = attach.replyRoute() > 0;
			if (taker != null && replyRoute) {
				taker.accept(channel);
			}
			if (taker == null
					|| !connection.trySend(new Message.Welcome(ProcessHandle.current().pid(), replyRoute))) {
				connection.close();
				return;
			}
			if (!replyRoute) {
				taker.accept(channel);
			}
		}
		catch (RuntimeException ex) {
			logger.error("Closing a channel connection after an unexpected failure", ex);
			connection.close();
		}
	}

	// A hello or an attach with the cluster's secret, or null
	private @Nullable Message handshake(Connection connection) {
		// Counts the time the master ran: after a pause of the whole cluster, a worker that
		// connected before it still has its whole time to say hello
		ActiveTimeout silent = ActiveTimeout.start(HANDSHAKE_TIMEOUT, () -> {
			logger.warn("Refused a channel connection that sent no hello within " + HANDSHAKE_TIMEOUT.toSeconds()
					+ "s");
			connection.close();
		});
		try {
			Message first = connection.receive();
			silent.cancel();
			if (first instanceof Message.Hello hello) {
				return hasSecret(hello.secret(), hello.workerId(), hello.pid()) ? hello : null;
			}
			if (first instanceof Message.Attach attach) {
				return hasSecret(attach.secret(), attach.workerId(), attach.pid()) ? attach : null;
			}
			logger.warn("Refused a channel connection whose first frame was not a hello");
			return null;
		}
		catch (IOException ex) {
			silent.cancel();
			if (connection.isOpen()) {
				logger.warn("Refused a channel connection: " + ex.getMessage());
			}
			return null;
		}
	}

	private boolean hasSecret(@Nullable String secret, int workerId, long pid) {
		if (secret == null || !MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
				this.address.secret().getBytes(StandardCharsets.UTF_8))) {
			logger.warn("Refused a channel connection without the cluster's secret (it claimed to be worker "
					+ workerId + ", pid " + pid + ")");
			return false;
		}
		return true;
	}

	/**
	 * The address this server listens on.
	 * @return the address
	 */
	public ChannelAddress address() {
		return this.address;
	}

	@Override
	public void close() {
		try {
			this.serverChannel.close();
		}
		catch (IOException ex) {
			// Shutting down anyway
		}
		this.address.delete();
	}

	/**
	 * What the master does with the channel's connections.
	 */
	public interface Handler {

		/**
		 * Decides whether a connection that presented the right secret belongs to the
		 * cluster, for example whether its worker id and pid match a forked worker. When it
		 * does, the handler answers with a {@link Message.Welcome} before any other message,
		 * since the peer waits for it; otherwise the connection is closed unanswered.
		 * @param connection the connection
		 * @param hello its hello
		 * @return whether to keep the connection
		 */
		boolean accept(Connection connection, Message.Hello hello);

		/**
		 * A message arrived on an accepted connection. Called on that connection's reader
		 * thread, in the order the messages were sent.
		 * @param connection the connection
		 * @param message the message
		 */
		void received(Connection connection, Message message);

		/**
		 * An accepted connection closed, whatever the reason.
		 * @param connection the connection
		 */
		void closed(Connection connection);

		/**
		 * Decides whether to take a further connection of a worker that joined, on which
		 * it asks and waits for each answer. When it does, the server welcomes the worker,
		 * then hands the channel over: from then on, the taker alone reads and writes it.
		 * A reply route is handed over first, and the welcome written on it after.
		 * @param attach the connection's first frame
		 * @return what takes the channel over, or {@code null} to refuse the connection
		 */
		default @Nullable Consumer<SocketChannel> attach(Message.Attach attach) {
			return null;
		}

	}

}
