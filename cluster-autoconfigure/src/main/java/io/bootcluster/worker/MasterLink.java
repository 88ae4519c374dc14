package io.bootcluster.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.ipc.ChannelAddress;
import io.bootcluster.internal.ipc.ChannelClient;
import io.bootcluster.internal.ipc.Connection;
import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.PendingRequests;
import io.bootcluster.internal.ipc.QuietConnection;
import io.bootcluster.internal.ipc.ReadLoop;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A worker's channel to its master: the handshake, the one thread that reads what the
 * master sends ({@code cluster-ipc-master}), and sending. The handshake runs while the
 * application starts; what is sent before it completes waits for it. The connection is
 * completed once, by the handshake; the rest of the state is the pending requests', which
 * are thread-safe.
 */
final class MasterLink {

	private static final Log logger = LogFactory.getLog(MasterLink.class);

	private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

	/**
	 * What the link hands on.
	 */
	interface Receiver {

		/**
		 * The master welcomed this worker.
		 * @param masterPid the master's pid
		 */
		void joined(long masterPid);

		/**
		 * A message from the master, on the reader thread, in order.
		 * @param message the message
		 */
		void received(Message message);

		/**
		 * The channel closed, whatever the reason.
		 */
		void closed();

	}

	private final int id;

	private final JvmEnd end;

	// Completed once the master welcomed this worker; a worker that cannot join halts
	private final CompletableFuture<Connection> connection = new CompletableFuture<>();

	private final PendingRequests pending = new PendingRequests();

	// Where the master was joined, for further connections; set before the connection
	private volatile @Nullable ChannelAddress joinedAddress;

	private volatile @Nullable FrameCodec joinedCodec;

	private volatile boolean closing;

	private volatile boolean opened;

	MasterLink(int id, JvmEnd end) {
		this.id = id;
		this.end = end;
	}

	/**
	 * Joins the master on a thread of its own, then reads from it until the channel
	 * closes.
	 * @param socket the master's socket
	 * @param secret reads the channel's secret from standard input
	 * @param codec the channel's codec
	 * @param receiver what to hand on
	 */
	void open(Path socket, Callable<String> secret, FrameCodec codec, Receiver receiver) {
		this.opened = true;
		DaemonThreads.start("cluster-ipc-master", () -> {
			if (join(socket, secret, codec, receiver)) {
				read(receiver);
			}
		});
	}

	// While the application starts on the main thread: a worker that cannot join must not
	// serve, whatever the failure, and has nothing to close yet
	private boolean join(Path socket, Callable<String> secret, FrameCodec codec, Receiver receiver) {
		try {
			ChannelAddress address = new ChannelAddress(socket, readSecret(secret));
			// Built before connecting: the master gives a connection only so long to say hello
			FrameCodec.mapper();
			ChannelClient.Session session = ChannelClient.connect(address, codec, this.id, JOIN_TIMEOUT);
			this.joinedAddress = address;
			this.joinedCodec = codec;
			// A worker's messages often go many in a row: a burst's go in few writes
			session.connection().gatherBursts();
			connected(session.connection());
			receiver.joined(session.masterPid());
			return true;
		}
		catch (Throwable ex) {
			this.connection.completeExceptionally(ex);
			if (ex instanceof IOException) {
				logger.error("Worker " + this.id + " exits: " + ex.getMessage());
			}
			else {
				logger.error("Worker " + this.id + " exits: it could not join its master", ex);
			}
			this.end.halt(JvmEnd.NOT_JOINED);
			return false;
		}
	}

	// A process started by hand with a worker's environment has nobody to write it: it
	// does not wait for ever
	private static String readSecret(Callable<String> secret) throws Exception {
		CompletableFuture<String> read = new CompletableFuture<>();
		DaemonThreads.start("cluster-ipc-secret", () -> {
			try {
				read.complete(secret.call());
			}
			catch (Throwable ex) {
				read.completeExceptionally(ex);
			}
		});
		try {
			return read.get(JOIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
		catch (TimeoutException ex) {
			throw new IOException("No secret on standard input within " + JOIN_TIMEOUT.toSeconds()
					+ "s: workers are started by their master, not by hand");
		}
	}

	/**
	 * Takes the connection the master welcomed this worker on: what waited to be sent goes
	 * now.
	 * @param connection the connection
	 */
	void connected(Connection connection) {
		this.connection.complete(connection);
	}

	// A listener that runs long lets another thread read on (ReadLoop)
	private void read(Receiver receiver) {
		new ReadLoop(this.connection.join(), "the master", (message) -> {
			if (message instanceof Message.Reply reply) {
				this.pending.complete(reply);
			}
			else {
				receiver.received(message);
			}
		}, (failure) -> {
			if (failure != null && !this.closing) {
				logger.error("The channel to the master failed: " + failure.getMessage());
			}
			this.pending.failAll("The channel to the master closed");
			receiver.closed();
		}).run();
	}

	// Waits for the handshake, which ends within the join timeout: welcomed, or the JVM halts
	private @Nullable Connection connection() {
		try {
			return this.connection.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
		catch (ExecutionException ex) {
			return null;
		}
	}

	/**
	 * Waits until the master has welcomed this worker, which happens within the join's
	 * timeout: a worker that cannot join halts.
	 * @return whether it joined
	 */
	boolean awaitJoined() {
		// A link never opened (a runtime made for a test of what is built on it) has no
		// handshake to wait for
		return this.opened && connection() != null;
	}

	/**
	 * Sends the master a message.
	 * @param message the message
	 * @throws IOException if the channel is closed, or this worker could not join
	 */
	void send(Message message) throws IOException {
		Connection connection = connection();
		if (connection == null) {
			throw new IOException("Worker " + this.id + " could not join its master");
		}
		connection.send(message);
	}

	/**
	 * Sends the master a message, if the channel is still open.
	 * @param message the message
	 * @return whether it went out
	 */
	boolean trySend(Message message) {
		Connection connection = connection();
		return connection != null && connection.trySend(message);
	}

	/**
	 * Asks the master to do something.
	 * @param action what to do
	 * @param body the action's input
	 * @param timeout how long to wait for the answer
	 * @return the master's answer
	 */
	CompletableFuture<JsonNode> request(Action action, JsonNode body, Duration timeout) {
		PendingRequests.Pending request = this.pending.create(action.wireName(), body, timeout);
		try {
			send(request.request());
		}
		catch (IOException ex) {
			// This request only: the others may still be answered
			request.reply().completeExceptionally(ex);
		}
		return request.reply();
	}

	/**
	 * Opens a further connection to the master, on which the calling thread asks and reads
	 * each answer itself: no thread hands the answer over.
	 * @return the connection
	 * @throws IOException if this worker has not joined, or the master refuses
	 */
	Connection attach() throws IOException {
		connection();
		return ChannelClient.attach(joinedAddress(), joinedCodec(), this.id, JOIN_TIMEOUT);
	}

	/**
	 * Opens a reply route to the master: a connection on which this worker reads the
	 * answers to the requests that name it.
	 * @param route the route's id
	 * @return the connection
	 * @throws IOException if this worker has not joined, or the master refuses
	 */
	Connection attachReplyRoute(long route) throws IOException {
		connection();
		return ChannelClient.attachReplyRoute(joinedAddress(), joinedCodec(), this.id, route, JOIN_TIMEOUT);
	}

	/**
	 * Opens this worker's quiet connection to the master, for the HTTP sessions it holds
	 * copies of.
	 * @return the connection
	 * @throws IOException if this worker has not joined, or the master refuses
	 */
	QuietConnection attachQuiet() throws IOException {
		connection();
		return ChannelClient.attachQuiet(joinedAddress(), joinedCodec(), this.id, JOIN_TIMEOUT);
	}

	private ChannelAddress joinedAddress() throws IOException {
		ChannelAddress address = this.joinedAddress;
		if (address == null || this.closing) {
			throw new IOException("Worker " + this.id + " is not on its master's channel");
		}
		return address;
	}

	private FrameCodec joinedCodec() throws IOException {
		FrameCodec codec = this.joinedCodec;
		if (codec == null || this.closing) {
			throw new IOException("Worker " + this.id + " is not on its master's channel");
		}
		return codec;
	}

	/**
	 * Takes note that the channel is about to close because this worker leaves: its end is
	 * not a failure.
	 */
	void expectClose() {
		this.closing = true;
	}

	/**
	 * Closes the channel, as a worker that leaves does last.
	 */
	void close() {
		this.closing = true;
		Connection connection = this.connection.getNow(null);
		if (connection != null) {
			connection.close();
		}
	}

}
