package io.bootcluster.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.apache.catalina.LifecycleException;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.Http11NioProtocol;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Makes Tomcat bind the shared port with {@code SO_REUSEPORT}, and finds the listener it
 * bound. The protocol must be chosen on the factory: a connector customizer comes too
 * late, once the connector's endpoint exists.
 */
public class TomcatPortSharing implements WebServerFactoryCustomizer<TomcatWebServerFactory>, SharedPortSupport {

	// The shared port's protocols, as the factory creates them: Tomcat's service forgets a
	// connector until the web server starts
	private final List<ReusePortHttp11NioProtocol> created = new CopyOnWriteArrayList<>();

	@Override
	public void customize(TomcatWebServerFactory factory) {
		factory.setProtocol(ReusePortHttp11NioProtocol.class.getName());
		factory.addConnectorCustomizers((connector) -> {
			if (connector.getProtocolHandler() instanceof ReusePortHttp11NioProtocol protocol) {
				this.created.add(protocol);
			}
		});
	}

	@Override
	public @Nullable BoundListener find(WebServer webServer) {
		for (ReusePortHttp11NioProtocol protocol : protocols(webServer)) {
			BoundListener listener = protocol.boundListener();
			if (listener != null) {
				return listener;
			}
		}
		return null;
	}

	/**
	 * Closes the listeners without pausing the connectors: a paused connector would turn
	 * away requests already on their way. With the listener closed, Tomcat ends each
	 * keep-alive connection after its next response ({@code Connection: close}). The
	 * {@link HandshakeFence} goes up first, where the kernel needs it.
	 */
	@Override
	public boolean retire(WebServer webServer, Duration drainTimeout) {
		List<ReusePortHttp11NioProtocol> protocols = protocols(webServer);
		if (protocols.isEmpty()) {
			return false;
		}
		HandshakeFence.raise(protocols.stream().map(ReusePortHttp11NioProtocol::listenerDescriptor).toList());
		protocols.forEach(ReusePortHttp11NioProtocol::closeServerSocketGraceful);
		long deadline = System.nanoTime() + drainTimeout.toNanos();
		for (ReusePortHttp11NioProtocol protocol : protocols) {
			long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
			if (left > 0) {
				protocol.awaitConnectionsClose(left);
			}
		}
		return true;
	}

	/**
	 * Starts a plain connector on a loopback port of the kernel's choosing beside the
	 * created Tomcat, whose own connectors start only when the standby takes over, sends it
	 * the requests, and removes it; then starts the request threads of the shared port's
	 * connectors.
	 */
	@Override
	public int warmUp(WebServerApplicationContext context, int requests) {
		if (!(context.getWebServer() instanceof TomcatWebServer tomcat)) {
			return 0;
		}
		Service service = tomcat.getTomcat().getService();
		Connector connector = new Connector(Http11NioProtocol.class.getName());
		connector.setPort(0);
		connector.setProperty("address", "127.0.0.1");
		try {
			service.addConnector(connector);
			int port = connector.getLocalPort();
			return (port > 0) ? WarmUpRequests.send(port, requests) : 0;
		}
		finally {
			service.removeConnector(connector);
			try {
				connector.destroy();
			}
			catch (LifecycleException ex) {
				// Removed already: nothing listens on its port
			}
			this.created.forEach(ReusePortHttp11NioProtocol::startThreadsAhead);
		}
	}

	private static List<ReusePortHttp11NioProtocol> protocols(WebServer webServer) {
		List<ReusePortHttp11NioProtocol> protocols = new ArrayList<>();
		if (webServer instanceof TomcatWebServer tomcat) {
			for (Connector connector : tomcat.getTomcat().getService().findConnectors()) {
				if (connector.getProtocolHandler() instanceof ReusePortHttp11NioProtocol protocol) {
					protocols.add(protocol);
				}
			}
		}
		return protocols;
	}

}
