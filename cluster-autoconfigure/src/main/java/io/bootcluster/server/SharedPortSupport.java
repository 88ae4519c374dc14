package io.bootcluster.server;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * What the cluster needs from one kind of web server, beyond binding with
 * {@code SO_REUSEPORT}: to find the listener it really bound, and to retire it without
 * losing a connection.
 */
public interface SharedPortSupport {

	/**
	 * Finds the web server's listening socket. Some servers ignore a socket option they
	 * cannot apply; reading the option back from the bound socket is the only way to know
	 * the port is really shared.
	 * @param webServer a started web server
	 * @return its listener, or {@code null} when this support does not know the server
	 */
	@Nullable BoundListener find(WebServer webServer);

	/**
	 * Stops taking connections and lets the open ones finish: the listener is closed so
	 * the kernel sends new connections to the other workers, requests in flight complete,
	 * and keep-alive connections are closed after their next response.
	 * @param webServer a started web server
	 * @param drainTimeout how long to wait for the open connections to close
	 * @return whether this support knew the server
	 */
	boolean retire(WebServer webServer, Duration drainTimeout);

	/**
	 * Has a standby's web server, created but not yet serving, answer requests of its own
	 * on a private loopback port, then close that port: the code it takes over with is then
	 * compiled. See {@link WarmUpRequests}.
	 * @param context the standby's context, whose web server is created, not started
	 * @param requests how many requests to send
	 * @return how many were answered; 0 when this support does not know the server, or
	 * cannot warm it up
	 */
	default int warmUp(WebServerApplicationContext context, int requests) {
		return 0;
	}

}
