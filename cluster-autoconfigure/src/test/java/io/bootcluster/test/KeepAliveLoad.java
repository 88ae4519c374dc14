package io.bootcluster.test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.bootcluster.server.HandshakeFence;

/**
 * Clients that keep their HTTP/1.1 connections open and send request after request, as a
 * load generator does, and count every request that fails: a reset, a connection closed
 * without an answer, a status other than 200. A client opens a new connection only when
 * the server said {@code Connection: close}, or after a failure.
 */
public final class KeepAliveLoad implements AutoCloseable {

	private static final Pattern PID = Pattern.compile("\"pid\":(\\d+)");

	private final int port;

	private final String path;

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final AtomicLong succeeded = new AtomicLong();

	private final AtomicLong reconnects = new AtomicLong();

	private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

	private final List<Failure> failed = Collections.synchronizedList(new ArrayList<>());

	// The pid in the last answer on each client's connection, -1 before the first answer
	private final ThreadLocal<long[]> servedBy = ThreadLocal.withInitial(() -> new long[] { -1 });

	private final List<Thread> clients = new ArrayList<>();

	private final Duration pause;

	private KeepAliveLoad(int port, String path, Duration pause) {
		this.port = port;
		this.path = path;
		this.pause = pause;
	}

	/**
	 * Starts the clients.
	 * @param port the port on localhost
	 * @param path the path to request
	 * @param connections how many clients, each with one connection at a time
	 * @return the running load
	 */
	public static KeepAliveLoad start(int port, String path, int connections) {
		return start(port, path, connections, Duration.ZERO);
	}

	/**
	 * Starts clients that pause between requests: their connections are idle part of the
	 * time, as a browser's are, and they leave the CPU to the workers being started.
	 * @param port the port on localhost
	 * @param path the path to request
	 * @param connections how many clients, each with one connection at a time
	 * @param pause how long each client waits after a response
	 * @return the running load
	 */
	public static KeepAliveLoad start(int port, String path, int connections, Duration pause) {
		KeepAliveLoad load = new KeepAliveLoad(port, path, pause);
		for (int i = 0; i < connections; i++) {
			Thread client = new Thread(load::run, "keep-alive-client-" + i);
			client.setDaemon(true);
			load.clients.add(client);
			client.start();
		}
		return load;
	}

	private void run() {
		while (this.running.get()) {
			this.servedBy.get()[0] = -1;
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
				socket.setSoTimeout(15000);
				this.reconnects.incrementAndGet();
				InputStream in = new BufferedInputStream(socket.getInputStream());
				OutputStream out = socket.getOutputStream();
				boolean keepAlive = true;
				while (keepAlive && this.running.get()) {
					out.write(("GET " + this.path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
						.getBytes(StandardCharsets.US_ASCII));
					out.flush();
					keepAlive = readResponse(in);
					if (keepAlive && !this.pause.isZero()) {
						Processes.sleep(this.pause);
					}
				}
			}
			catch (IOException ex) {
				if (this.running.get()) {
					fail(ex.toString());
				}
				if (ex instanceof ConnectException) {
					// Nobody listens: a client tries again a moment later, not in a spin
					Processes.sleep(Duration.ofMillis(10));
				}
			}
		}
	}

	private boolean readResponse(InputStream in) throws IOException {
		String head = readHead(in);
		String[] lines = head.split("\r\n");
		int status = Integer.parseInt(lines[0].substring(9, 12));
		int length = -1;
		boolean close = false;
		for (String line : lines) {
			String lower = line.toLowerCase(Locale.ROOT);
			if (lower.startsWith("content-length:")) {
				length = Integer.parseInt(line.substring(15).trim());
			}
			else if (lower.startsWith("connection:") && lower.contains("close")) {
				close = true;
			}
		}
		if (length < 0) {
			throw new IOException("No Content-Length in " + head);
		}
		byte[] body = in.readNBytes(length);
		if (body.length != length) {
			throw new IOException("Connection closed inside a response body");
		}
		Matcher pid = PID.matcher(new String(body, StandardCharsets.UTF_8));
		if (pid.find()) {
			this.servedBy.get()[0] = Long.parseLong(pid.group(1));
		}
		if (status == 200) {
			this.succeeded.incrementAndGet();
		}
		else {
			fail("status " + status);
		}
		return !close;
	}

	private static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("Connection closed before a response" + (head.size() > 0 ? " ended" : ""));
			}
			head.write(b);
			matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r') ? 1 : 0;
		}
		return head.toString(StandardCharsets.US_ASCII);
	}

	/**
	 * Waits until the clients have completed some more requests.
	 * @param requests how many more
	 * @param timeout the deadline
	 */
	public void awaitMore(long requests, Duration timeout) {
		long target = this.succeeded.get() + requests;
		long deadline = System.nanoTime() + timeout.toNanos();
		while (this.succeeded.get() < target) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Only " + this.succeeded.get() + " of " + target + " requests within "
						+ timeout.toSeconds() + "s; failures: " + failures());
			}
			Processes.sleep(Duration.ofMillis(20));
		}
	}

	/**
	 * Failed requests a worker's retirement may cost. A listener that closes resets the
	 * handshakes the kernel still holds for it, unless the kernel may hand them to another
	 * listener ({@code net.ipv4.tcp_migrate_req=1}) or the {@link HandshakeFence} kept them
	 * away; without either, on a loaded machine that is, rarely, one connection.
	 * @return 0 where retirements are protected, 1 otherwise
	 */
	public static int toleratedResets() {
		return HandshakeFence.protectsRetirement() ? 0 : 1;
	}

	public long succeeded() {
		return this.succeeded.get();
	}

	public long connections() {
		return this.reconnects.get();
	}

	private void fail(String what) {
		this.failures.add(what);
		this.failed.add(new Failure(System.nanoTime(), this.servedBy.get()[0], what));
	}

	/**
	 * The failed requests, with when and where.
	 * @return the failures
	 */
	public List<Failure> failedRequests() {
		synchronized (this.failed) {
			return List.copyOf(this.failed);
		}
	}

	public List<String> failures() {
		synchronized (this.failures) {
			return List.copyOf(this.failures);
		}
	}

	/**
	 * A request that failed.
	 *
	 * @param at when, by {@link System#nanoTime()}
	 * @param pid the worker that answered last on its connection, or -1 when none had
	 * @param what what went wrong
	 */
	public record Failure(long at, long pid, String what) {
	}

	@Override
	public void close() {
		this.running.set(false);
		for (Thread client : this.clients) {
			try {
				client.join(20000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

}
