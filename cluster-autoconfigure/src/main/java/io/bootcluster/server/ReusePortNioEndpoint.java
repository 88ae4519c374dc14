package io.bootcluster.server;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.apache.tomcat.util.net.NioEndpoint;
import org.jspecify.annotations.Nullable;

/**
 * Tomcat's NIO endpoint, binding its listener with {@code SO_REUSEPORT}. Tomcat has no
 * setting for the option, and keeps its listener in a private field that only
 * {@link #initServerSocket()} assigns, so this endpoint binds the channel itself and
 * stores it there.
 */
class ReusePortNioEndpoint extends NioEndpoint {

	private static final VarHandle SERVER_SOCKET = serverSocketField();

	private static final long STOP_POLL_MILLIS = 10;

	private volatile boolean closedToUnlock;

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
			channel.configureBlocking(true);
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
		SERVER_SOCKET.setVolatile(this, channel);
	}

	/**
	 * Wakes the acceptor by closing the listener. Tomcat's own way connects to the
	 * listener's port, and with {@code SO_REUSEPORT} the kernel may hand that connection to
	 * a sibling worker, which then sees a connection that sends nothing.
	 */
	@Override
	protected void unlockAccept() {
		ServerSocketChannel channel = (ServerSocketChannel) getServerSocket();
		if (channel == null || getUnixDomainSocketPath() != null) {
			super.unlockAccept();
			return;
		}
		this.closedToUnlock = true;
		try {
			channel.close();
		}
		catch (IOException ex) {
			// The acceptor wakes all the same once the channel is unusable
		}
	}

	/**
	 * Accepts the next connection. When {@link #unlockAccept()} closed the listener, the
	 * acceptor would take the close for an accept failure while the endpoint still runs,
	 * log it as an error and back off; it waits here instead until the endpoint stops, and
	 * ends quietly.
	 */
	@Override
	protected SocketChannel serverSocketAccept() throws Exception {
		try {
			return super.serverSocketAccept();
		}
		catch (ClosedChannelException ex) {
			if (this.closedToUnlock) {
				while (isRunning()) {
					Thread.sleep(STOP_POLL_MILLIS);
				}
			}
			throw ex;
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
