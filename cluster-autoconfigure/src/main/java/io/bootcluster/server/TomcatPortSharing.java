package io.bootcluster.server;

import org.apache.catalina.connector.Connector;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Makes Tomcat bind the shared port with {@code SO_REUSEPORT}, and finds the listener it
 * bound. The protocol must be chosen on the factory: a connector customizer comes too
 * late, once the connector's endpoint exists.
 */
public class TomcatPortSharing implements WebServerFactoryCustomizer<TomcatWebServerFactory>, ListenerInspector {

	@Override
	public void customize(TomcatWebServerFactory factory) {
		factory.setProtocol(ReusePortHttp11NioProtocol.class.getName());
	}

	@Override
	public @Nullable BoundListener inspect(WebServer webServer) {
		if (webServer instanceof TomcatWebServer tomcat) {
			for (Connector connector : tomcat.getTomcat().getService().findConnectors()) {
				if (connector.getProtocolHandler() instanceof ReusePortHttp11NioProtocol protocol) {
					BoundListener listener = protocol.boundListener();
					if (listener != null) {
						return listener;
					}
				}
			}
		}
		return null;
	}

}
