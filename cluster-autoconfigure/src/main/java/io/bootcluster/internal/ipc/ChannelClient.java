package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A worker's end of the channel: connects to the master and completes the handshake.
 */
public final class ChannelClient {

	private ChannelClient() {
	}

	/**
	 * Connects to the master and presents the secret.
	 * @param address the master's address
	 * @param codec the frame codec
	 * @param workerId the id the master gave this worker
	 * @param timeout how long to wait for the master's welcome
	 * @return the open connection and the master's answer
	 * @throws IOException if the master cannot be reached or refuses the connection
	 */
	public static Session connect(ChannelAddress address, FrameCodec codec, int workerId, Duration timeout)
			throws IOException {
		return open(address, codec, new Message.Hello(workerId, ProcessHandle.current().pid(), address.secret()),
				timeout);
	}

	/**
	 * Opens a further connection of a worker that joined, on which it asks the master and
	 * waits for each answer itself.
	 * @param address the master's address
	 * @param codec the frame codec
	 * @param workerId this worker's id
	 * @param timeout how long to wait for the master's welcome
	 * @return the open connection, which writes on the calling thread
	 * @throws IOException if the master cannot be reached or refuses the connection
	 */
	public static Connection attach(ChannelAddress address, FrameCodec codec, int workerId, Duration timeout)
			throws IOException {
		return open(address, codec,
				new Message.Attach(workerId, ProcessHandle.current().pid(), address.secret(), false), timeout)
			.connection();
	}

	/**
	 * Opens a reply route of a worker that joined: a connection on which it reads the
	 * answers to the requests that name the route.
	 * @param address the master's address
	 * @param codec the frame codec
	 * @param workerId this worker's id
	 * @param route the route's id, unique among this worker's
	 * @param timeout how long to wait for the master's welcome
	 * @return the open connection
	 * @throws IOException if the master cannot be reached, refuses the connection, or
	 * predates reply routes
	 */
	public static Connection attachReplyRoute(ChannelAddress address, FrameCodec codec, int workerId, long route,
			Duration timeout) throws IOException {
		Session session = open(address, codec,
				new Message.Attach(workerId, ProcessHandle.current().pid(), address.secret(), false, route), timeout);
		if (!session.replyRoute()) {
			session.connection().close();
			throw new IOException("The master writes no answers on further connections");
		}
		return session.connection();
	}

	/**
	 * Opens a worker's quiet connection, for the HTTP sessions it holds copies of.
	 * @param address the master's address
	 * @param codec the frame codec
	 * @param workerId this worker's id
	 * @param timeout how long to wait for the master's welcome
	 * @return the open connection, which never blocks
	 * @throws IOException if the master cannot be reached or refuses the connection
	 */
	public static QuietConnection attachQuiet(ChannelAddress address, FrameCodec codec, int workerId,
			Duration timeout) throws IOException {
		Connection connection = open(address, codec,
				new Message.Attach(workerId, ProcessHandle.current().pid(), address.secret(), true), timeout)
			.connection();
		return new QuietConnection(connection.detach(), codec);
	}

	private static Session open(ChannelAddress address, FrameCodec codec, Message first, Duration timeout)
			throws IOException {
		SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		Connection connection = Connection.direct(channel, codec);
		try {
			channel.connect(UnixDomainSocketAddress.of(address.socket()));
			connection.send(first);
			// Counts the time this JVM ran: a cluster paused as a whole comes back whole
			ActiveTimeout unanswered = ActiveTimeout.start(timeout, connection::close);
			Message answer;
			try {
				answer = connection.receive();
			}
			finally {
				unanswered.cancel();
			}
			if (answer instanceof Message.Welcome welcome) {
				return new Session(connection, welcome.masterPid(), welcome.replyRoute());
			}
			throw new IOException("The master refused this worker's channel connection");
		}
		catch (IOException ex) {
			connection.close();
			throw new IOException("Could not join the cluster's master at " + address.socket() + ": " + ex.getMessage(),
					ex);
		}
	}

	/**
	 * An accepted connection to the master.
	 *
	 * @param connection the connection
	 * @param masterPid the master's process id
	 * @param replyRoute whether the master writes answers on it
	 */
	public record Session(Connection connection, long masterPid, boolean replyRoute) {
	}

}
