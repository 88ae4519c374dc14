package io.bootcluster.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Requests a standby sends itself, on a private loopback port, before it waits to take
 * over: the first requests a JVM serves run its request path interpreted, and a standby
 * that took over would otherwise make its first clients wait for that (about a tenth of a
 * second on a small machine). Each asks for a path no application serves, on a connection
 * of its own, marked with {@link #HEADER} for whoever reads access logs. A worker waiting
 * to serve neither counts what it serves nor saves its sessions.
 */
public final class WarmUpRequests {

	/** Marks a warm-up request. */
	public static final String HEADER = "X-Cluster-Warm-Up";

	/** What a standby asks for: nothing, so that no application code of consequence runs. */
	static final String PATH = "/.well-known/cluster-warm-up";

	private WarmUpRequests() {
	}

	/**
	 * Sends requests, one at a time, each on a new connection.
	 * @param port the private port
	 * @param count how many
	 * @return how many were answered
	 */
	static int send(int port, int count) {
		byte[] request = ("GET " + PATH + " HTTP/1.1\r\nHost: localhost\r\n" + HEADER
				+ ": true\r\nConnection: close\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
		int answered = 0;
		for (int i = 0; i < count; i++) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
				socket.setSoTimeout(5000);
				OutputStream out = socket.getOutputStream();
				out.write(request);
				out.flush();
				InputStream in = socket.getInputStream();
				if (in.readAllBytes().length > 0) {
					answered++;
				}
			}
			catch (IOException ex) {
				// A warm-up that fails leaves a colder standby, nothing worse
				return answered;
			}
		}
		return answered;
	}

}
