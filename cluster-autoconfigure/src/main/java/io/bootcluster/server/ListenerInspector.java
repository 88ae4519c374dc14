package io.bootcluster.server;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.web.server.WebServer;

/**
 * Finds the listening socket of one kind of web server. Some servers ignore a socket
 * option they cannot apply; reading the option back from the bound socket is the only way
 * to know the port is really shared.
 */
@FunctionalInterface
public interface ListenerInspector {

	/**
	 * Finds the web server's listening socket.
	 * @param webServer a started web server
	 * @return its listener, or {@code null} when this inspector does not know the server
	 */
	@Nullable BoundListener inspect(WebServer webServer);

}
