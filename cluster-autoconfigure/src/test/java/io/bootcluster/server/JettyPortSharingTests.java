package io.bootcluster.server;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import org.springframework.boot.jetty.reactive.JettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServer;

/**
 * Two real Jetty servers in one JVM bind one port, as two workers do: the reactive one,
 * whose adapter differs from the servlet one that the process tests run.
 */
class JettyPortSharingTests {

	private final JettyPortSharing portSharing = new JettyPortSharing();

	@Test
	void reactiveServersShareOnePort() throws IOException {
		TwoServers.shareOnePort(this.portSharing, this::start);
	}

	private WebServer start(int port, String name) {
		JettyReactiveWebServerFactory factory = new JettyReactiveWebServerFactory(port);
		factory.addServerCustomizers(this.portSharing);
		WebServer server = factory.getWebServer(TwoServers.naming(name));
		server.start();
		return server;
	}

}
