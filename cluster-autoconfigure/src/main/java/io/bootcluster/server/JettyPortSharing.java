package io.bootcluster.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.jetty.JettyServerCustomizer;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * Makes Jetty bind the shared port with {@code SO_REUSEPORT}, and retires its listeners
 * gracefully. Jetty has the option, but ignores it without a word where it cannot be
 * applied, hence the listener read back from the bound socket.
 */
public class JettyPortSharing implements JettyServerCustomizer, SharedPortSupport {

	@Override
	public void customize(org.eclipse.jetty.server.Server server) {
		for (Connector connector : server.getConnectors()) {
			if (connector instanceof ServerConnector serverConnector) {
				serverConnector.setReusePort(true);
			}
		}
	}

	@Override
	public @Nullable BoundListener find(WebServer webServer) {
		for (ServerConnector connector : connectors(webServer)) {
			if (connector.getTransport() instanceof ServerSocketChannel channel && channel.isOpen()) {
				try {
					return new BoundListener((InetSocketAddress) channel.getLocalAddress(),
							channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)
									&& channel.getOption(StandardSocketOptions.SO_REUSEPORT));
				}
				catch (IOException ex) {
					return null;
				}
			}
		}
		return null;
	}

	/**
	 * Closes the listeners, then ends each keep-alive connection with its next response
	 * ({@code Connection: close}), and waits for the connections to go. Jetty's own
	 * graceful shutdown is not used here: it closes a keep-alive connection right after a
	 * response that promised to keep it open, which a client sending its next request at
	 * that moment sees fail. The {@link HandshakeFence} goes up first, where the kernel
	 * needs it.
	 */
	@Override
	public boolean retire(WebServer webServer, Duration drainTimeout) {
		List<ServerConnector> connectors = connectors(webServer);
		if (connectors.isEmpty()) {
			return false;
		}
		List<Integer> listeners = new ArrayList<>();
		for (ServerConnector connector : connectors) {
			if (connector.getTransport() instanceof ServerSocketChannel channel && channel.isOpen()) {
				listeners.add(HandshakeFence.descriptorOf(channel));
			}
		}
		HandshakeFence.raise(listeners);
		for (ServerConnector connector : connectors) {
			connector.close();
			for (ConnectionFactory factory : connector.getConnectionFactories()) {
				if (factory instanceof HttpConnectionFactory http) {
					http.getHttpConfiguration().setPersistentConnectionsEnabled(false);
				}
			}
		}
		Polling.await(() -> connectors.stream().allMatch((connector) -> connector.getConnectedEndPoints().isEmpty()),
				drainTimeout);
		return true;
	}

	private static List<ServerConnector> connectors(WebServer webServer) {
		List<ServerConnector> connectors = new ArrayList<>();
		if (webServer instanceof JettyWebServer jetty) {
			for (Connector connector : jetty.getServer().getConnectors()) {
				if (connector instanceof ServerConnector serverConnector) {
					connectors.add(serverConnector);
				}
			}
		}
		return connectors;
	}

	/**
	 * Starts a plain connector on a loopback port of the kernel's choosing on the created
	 * Jetty, whose own connectors are set back only when the standby takes over, sends it
	 * the requests, and removes it.
	 */
	@Override
	public int warmUp(WebServerApplicationContext context, int requests) {
		if (!(context.getWebServer() instanceof JettyWebServer jetty)) {
			return 0;
		}
		Server server = jetty.getServer();
		ServerConnector connector = new ServerConnector(server);
		connector.setHost("127.0.0.1");
		connector.setPort(0);
		server.addConnector(connector);
		try {
			connector.start();
			return WarmUpRequests.send(connector.getLocalPort(), requests);
		}
		catch (Exception ex) {
			return 0;
		}
		finally {
			try {
				connector.stop();
			}
			catch (Exception ex) {
				// Removed below all the same: it serves no one
			}
			server.removeConnector(connector);
		}
	}

}
