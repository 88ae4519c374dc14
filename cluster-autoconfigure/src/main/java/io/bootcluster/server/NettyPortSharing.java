package io.bootcluster.server;

import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.nio.AbstractNioChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import org.jspecify.annotations.Nullable;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;

/**
 * Makes Reactor Netty bind the shared port with {@code SO_REUSEPORT}, and retires its
 * listener without losing a connection. Netty takes the option of the transport it runs
 * on (native or NIO) and ignores the other without a word, hence the listener read back
 * from the bound channel.
 */
public class NettyPortSharing implements NettyServerCustomizer, SharedPortSupport {

	private static final ChannelOption<Boolean> NIO_REUSE_PORT = NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);

	private static final Duration BOUND_WAIT = Duration.ofSeconds(5);

	private final List<DisposableServer> bound = new CopyOnWriteArrayList<>();

	private final AtomicInteger connections = new AtomicInteger();

	private volatile boolean retiring;

	// What Reactor Netty runs on: a native transport unless told not to or none is there
	private static boolean nativeTransport() {
		return LoopResources.DEFAULT_NATIVE && LoopResources.hasNativeSupport();
	}

	@Override
	public HttpServer apply(HttpServer server) {
		HttpServer shared = nativeTransport() ? server.option(UnixChannelOption.SO_REUSEPORT, true)
				: server.option(NIO_REUSE_PORT, true);
		return shared.doOnBound(this.bound::add).doOnConnection((connection) -> {
			this.connections.incrementAndGet();
			connection.onDispose(this.connections::decrementAndGet);
			connection.addHandlerLast("clusterRetirement", new CloseAfterResponse());
		});
	}

	@Override
	public @Nullable BoundListener find(WebServer webServer) {
		if (!(webServer instanceof NettyWebServer)) {
			return null;
		}
		// Reactor Netty may report the bound server a moment after the web server started
		Polling.await(() -> !this.bound.isEmpty(), BOUND_WAIT);
		for (DisposableServer server : this.bound) {
			Channel channel = server.channel();
			if (channel.isOpen() && channel.localAddress() instanceof InetSocketAddress address) {
				Boolean reusePort = nativeTransport()
						? channel.config().getOption(UnixChannelOption.SO_REUSEPORT)
						: channel.config().getOption(NIO_REUSE_PORT);
				return new BoundListener(address, Boolean.TRUE.equals(reusePort));
			}
		}
		return null;
	}

	/**
	 * Closes the listening channel, then ends each keep-alive connection with its next
	 * response ({@code Connection: close}), and waits for the connections to go. The
	 * {@link HandshakeFence} goes up first, where the kernel needs it.
	 */
	@Override
	public boolean retire(WebServer webServer, Duration drainTimeout) {
		if (!(webServer instanceof NettyWebServer) || this.bound.isEmpty()) {
			return false;
		}
		HandshakeFence.raise(this.bound.stream().map((server) -> descriptorOf(server.channel())).toList());
		// The listener first: a client told to close would otherwise reconnect to it
		for (DisposableServer server : this.bound) {
			server.channel().close().awaitUninterruptibly(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		this.retiring = true;
		Polling.await(() -> this.connections.get() == 0, drainTimeout);
		return true;
	}

	/**
	 * Serves the application's handler on a loopback port of the kernel's choosing, from a
	 * server of its own beside the created one (which binds only when the standby takes
	 * over), sends it the requests, and disposes of it.
	 */
	@Override
	public int warmUp(WebServerApplicationContext context, int requests) {
		if (!(context.getWebServer() instanceof NettyWebServer)) {
			return 0;
		}
		HttpHandler handler = context.getBeanProvider(HttpHandler.class).getIfAvailable();
		if (handler == null) {
			return 0;
		}
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(handler))
			.bindNow();
		try {
			return WarmUpRequests.send(server.port(), requests);
		}
		finally {
			server.disposeNow();
		}
	}

	private static int descriptorOf(Channel channel) {
		if (!channel.isOpen()) {
			return -1;
		}
		if (channel instanceof UnixChannel unix) {
			return unix.fd().intValue();
		}
		try {
			// Netty's NIO channels keep the JDK's channel to themselves
			Method javaChannel = AbstractNioChannel.class.getDeclaredMethod("javaChannel");
			javaChannel.setAccessible(true);
			return (javaChannel.invoke(channel) instanceof ServerSocketChannel server)
					? HandshakeFence.descriptorOf(server) : -1;
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			return -1;
		}
	}

	/**
	 * Once the worker retires, marks each response {@code Connection: close}: the client
	 * closes the connection after it, and sends its next request to another worker.
	 */
	private final class CloseAfterResponse extends ChannelOutboundHandlerAdapter {

		@Override
		public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) throws Exception {
			if (NettyPortSharing.this.retiring && message instanceof HttpResponse response) {
				HttpUtil.setKeepAlive(response, false);
			}
			super.write(context, message, promise);
		}

	}

}
