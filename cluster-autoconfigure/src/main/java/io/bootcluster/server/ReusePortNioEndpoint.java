package io.bootcluster.server;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.apache.tomcat.util.net.NioEndpoint;
import org.jspecify.annotations.Nullable;

/**
 * Tomcat's NIO endpoint, binding its listener with {@code SO_REUSEPORT}, and closing it
 * without dropping a connection that already reached this worker.
 * <p>
 * Tomcat has no setting for the option, and keeps its listener in a private field that
 * only {@link #initServerSocket()} assigns, so this endpoint binds the channel itself and
 * stores it there.
 * <p>
 * The acceptor waits in an {@code accept()} that times out every
 * {@link #ACCEPT_TIMEOUT_MILLIS} ms, so that stopping needs no wake-up connection: Tomcat's
 * way, a connection to its own port, could land on a sibling worker with
 * {@code SO_REUSEPORT}. (A selector would do too, but costs a new connection 50 to 90 us
 * more on a small machine.) To stop taking connections, the thread that asks switches the
 * listener to not blocking, which waits for the acceptor's accept to return, accepts every
 * connection already queued, hands each to the endpoint, and closes the listener right
 * after the queue is found empty: the kernel resets what is still queued on a closed
 * listener (unless {@code net.ipv4.tcp_migrate_req} is set), and this leaves next to no
 * time for anything to be queued.
 */
class ReusePortNioEndpoint extends NioEndpoint {

	private static final VarHandle SERVER_SOCKET = serverSocketField();

	private static final long STOP_POLL_MILLIS = 10;

	/** How long the acceptor waits in one accept: the longest a stop waits for it. */
	static final int ACCEPT_TIMEOUT_MILLIS = 100;

	// Set while a connection accepted during the close is handed to the endpoint, which
	// calls destroySocket itself if that fails
	private static final ThreadLocal<Boolean> handingOver = new ThreadLocal<>();

	private final Object closeLock = new Object();

	// Whether this endpoint bound the listener, and accepts in turns of a timeout
	private volatile boolean timedAccept;

	private volatile boolean closing;

	// Once: a standby's threads are started before it takes over
	@Override
	public void createExecutor() {
		if (getExecutor() == null) {
			super.createExecutor();
		}
	}

	@Override
	protected void initServerSocket() throws Exception {
		if (getUseInheritedChannel() || getUnixDomainSocketPath() != null) {
			super.initServerSocket();
			return;
		}
		ServerSocketChannel channel = ServerSocketChannel.open();
		try {
			// Must be set before bind(), on every socket of the group. Where the platform has
			// no such option, the master runs a single worker
			if (channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
				channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
			}
			getSocketProperties().setProperties(channel.socket());
			channel.bind(new InetSocketAddress(getAddress(), getPortWithOffset()), getAcceptCount());
			channel.socket().setSoTimeout(ACCEPT_TIMEOUT_MILLIS);
			this.timedAccept = true;
			this.closing = false;
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
		SERVER_SOCKET.setVolatile(this, channel);
	}

	/**
	 * Takes every queued connection, then closes the listener, on the calling thread. The
	 * acceptor, whose accept fails once the listener does not block, ends quietly once the
	 * endpoint stops.
	 */
	@Override
	protected void unlockAccept() {
		if (!this.timedAccept) {
			super.unlockAccept();
			return;
		}
		ServerSocketChannel channel = (ServerSocketChannel) getServerSocket();
		synchronized (this.closeLock) {
			if (this.closing || channel == null) {
				return;
			}
			this.closing = true;
			try {
				// Waits for the acceptor's accept to return: at most its timeout
				channel.configureBlocking(false);
				SocketChannel socket;
				while ((socket = accept(channel)) != null) {
					handOver(socket);
				}
				channel.close();
			}
			catch (IOException ex) {
				// Closed under us: nothing is queued any more
			}
		}
	}

	private @Nullable SocketChannel accept(ServerSocketChannel channel) throws IOException {
		try {
			countUpOrAwaitConnection();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
		SocketChannel socket = channel.accept();
		if (socket == null) {
			countDownConnection();
		}
		return socket;
	}

	// As Tomcat's acceptor does with a connection it accepted
	private void handOver(SocketChannel socket) {
		handingOver.set(Boolean.TRUE);
		try {
			if (!setSocketOptions(socket)) {
				closeSocket(socket);
			}
		}
		finally {
			handingOver.remove();
		}
	}

	@Override
	protected SocketChannel serverSocketAccept() throws Exception {
		if (!this.timedAccept) {
			return super.serverSocketAccept();
		}
		ServerSocketChannel channel = (ServerSocketChannel) getServerSocket();
		try {
			while (!this.closing) {
				try {
					return channel.socket().accept().getChannel();
				}
				catch (SocketTimeoutException ex) {
					// A turn without a connection: time to see whether the endpoint closes
				}
			}
		}
		catch (IllegalBlockingModeException | ClosedChannelException ex) {
			// Taken over by unlockAccept()
		}
		// Still running, the acceptor would take the close for a failure, log it and back
		// off: it ends quietly once the endpoint has stopped
		while (isRunning()) {
			Thread.sleep(STOP_POLL_MILLIS);
		}
		throw new ClosedChannelException();
	}

	/**
	 * Serves a connection accepted while the listener closes, instead of resetting it as
	 * Tomcat would: while a worker retires without pausing, its connector still serves, and
	 * the client already counts on this connection.
	 */
	@Override
	protected void destroySocket(SocketChannel socket) {
		if (this.closing && isRunning() && !isPaused() && handingOver.get() == null) {
			handOver(socket);
			return;
		}
		super.destroySocket(socket);
	}

	int listenerDescriptor() {
		ServerSocketChannel channel = (ServerSocketChannel) getServerSocket();
		return (channel != null && channel.isOpen()) ? HandshakeFence.descriptorOf(channel) : -1;
	}

	@Nullable BoundListener boundListener() {
		ServerSocketChannel channel = (ServerSocketChannel) getServerSocket();
		if (channel == null || !channel.isOpen()) {
			return null;
		}
		try {
			return new BoundListener((InetSocketAddress) channel.getLocalAddress(),
					channel.getOption(StandardSocketOptions.SO_REUSEPORT));
		}
		catch (IOException | UnsupportedOperationException ex) {
			return null;
		}
	}

	private static VarHandle serverSocketField() {
		try {
			return MethodHandles.privateLookupIn(NioEndpoint.class, MethodHandles.lookup())
				.findVarHandle(NioEndpoint.class, "serverSock", ServerSocketChannel.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("This Tomcat version keeps its listener where Boot Cluster cannot reach it",
					ex);
		}
	}

}
