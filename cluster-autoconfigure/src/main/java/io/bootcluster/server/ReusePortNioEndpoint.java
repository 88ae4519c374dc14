package io.bootcluster.server;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
 * The acceptor waits on a selector rather than in a blocking {@code accept()}. To stop
 * taking connections, it is woken, accepts every connection already queued, and closes the
 * listener itself right after the queue is found empty: the kernel resets what is still
 * queued on a closed listener (unless {@code net.ipv4.tcp_migrate_req} is set), and this
 * leaves no time for anything to be queued. Tomcat's own way of waking its acceptor, a
 * connection to its own port, is not used: with {@code SO_REUSEPORT} the kernel may hand
 * that connection to a sibling worker.
 */
class ReusePortNioEndpoint extends NioEndpoint {

	private static final VarHandle SERVER_SOCKET = serverSocketField();

	private static final long STOP_POLL_MILLIS = 10;

	private static final long CLOSE_WAIT_MILLIS = 2000;

	private final CountDownLatch listenerClosed = new CountDownLatch(1);

	private volatile @Nullable Selector acceptSelector;

	private volatile boolean closing;

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
			channel.configureBlocking(false);
			Selector selector = Selector.open();
			channel.register(selector, SelectionKey.OP_ACCEPT);
			this.acceptSelector = selector;
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
		SERVER_SOCKET.setVolatile(this, channel);
	}

	/**
	 * Asks the acceptor to close the listener once it has taken every queued connection,
	 * and waits, briefly, until it has: Tomcat closes the listener right after this.
	 */
	@Override
	protected void unlockAccept() {
		Selector selector = this.acceptSelector;
		if (selector == null) {
			super.unlockAccept();
			return;
		}
		this.closing = true;
		selector.wakeup();
		try {
			this.listenerClosed.await(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	protected SocketChannel serverSocketAccept() throws Exception {
		Selector selector = this.acceptSelector;
		if (selector == null) {
			return super.serverSocketAccept();
		}
		ServerSocketChannel channel = (ServerSocketChannel) getServerSocket();
		try {
			while (true) {
				SocketChannel socket = channel.accept();
				if (socket != null) {
					return socket;
				}
				if (this.closing) {
					channel.close();
					this.listenerClosed.countDown();
					throw new ClosedChannelException();
				}
				// Woken by a connection or by unlockAccept(); the timeout guards against a missed wake-up
				selector.select(1000);
				selector.selectedKeys().clear();
			}
		}
		catch (ClosedChannelException ex) {
			this.listenerClosed.countDown();
			// Still running, the acceptor would take the close for a failure, log it and back
			// off: it ends quietly once the endpoint has stopped
			while (isRunning()) {
				Thread.sleep(STOP_POLL_MILLIS);
			}
			throw ex;
		}
	}

	/**
	 * Serves a connection accepted while the listener closes, instead of resetting it as
	 * Tomcat would: while a worker retires without pausing, its connector still serves, and
	 * the client already counts on this connection.
	 */
	@Override
	protected void destroySocket(SocketChannel socket) {
		if (this.closing && isRunning() && !isPaused()) {
			if (!setSocketOptions(socket)) {
				closeSocket(socket);
			}
			return;
		}
		super.destroySocket(socket);
	}

	@Override
	protected void doCloseServerSocket() throws IOException {
		try {
			super.doCloseServerSocket();
		}
		finally {
			Selector selector = this.acceptSelector;
			if (selector != null) {
				selector.close();
			}
		}
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
