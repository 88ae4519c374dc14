package io.bootcluster.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plain HTTP/1.0 requests, one connection each, so no answer comes chunked: a new
 * connection is what the kernel spreads across the workers, so a test sees the
 * distribution for real.
 */
public final class Http {

	private static final Pattern WORKER = Pattern.compile("\"worker\":(\\d+)");

	private static final Pattern PID = Pattern.compile("\"pid\":(\\d+)");

	private Http() {
	}

	/**
	 * Sends a GET on a new connection.
	 * @param port the port on localhost
	 * @param path the path
	 * @return the status line and body
	 * @throws IOException if the connection fails
	 */
	public static Response get(int port, String path) throws IOException {
		return exchange(port, ("GET " + path + " HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII), new byte[0]);
	}

	private static Response exchange(int port, byte[] head, byte[] body) throws IOException {
		try (Socket socket = new Socket()) {
			// Long enough for a handshake retried after a retiring worker's fence dropped it
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			socket.setSoTimeout(10000);
			OutputStream out = socket.getOutputStream();
			out.write(head);
			out.write(body);
			out.flush();
			InputStream in = socket.getInputStream();
			String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			if (!response.startsWith("HTTP/")) {
				throw new IOException("No HTTP response from port " + port);
			}
			int status = Integer.parseInt(response.substring(9, 12));
			int bodyStart = response.indexOf("\r\n\r\n");
			return new Response(status, (bodyStart >= 0) ? response.substring(bodyStart + 4) : "",
					(bodyStart >= 0) ? response.substring(0, bodyStart) : response);
		}
	}

	/**
	 * Sends a request with a JSON body, or none, on a new connection.
	 * @param method the method
	 * @param port the port on localhost
	 * @param path the path
	 * @param json the body, or {@code null}
	 * @return the status line and body
	 * @throws IOException if the connection fails
	 */
	public static Response send(String method, int port, String path, String json) throws IOException {
		byte[] body = (json != null) ? json.getBytes(StandardCharsets.UTF_8) : new byte[0];
		String head = method + " " + path + " HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n"
				+ ((json != null) ? "Content-Type: application/json\r\n" : "") + "Content-Length: " + body.length
				+ "\r\n\r\n";
		return exchange(port, head.getBytes(StandardCharsets.US_ASCII), body);
	}

	/**
	 * Sends a request with headers of the caller's, and a form or no body, on a new
	 * connection: a browser's request, with its cookies.
	 * @param method the method
	 * @param port the port on localhost
	 * @param path the path
	 * @param headers header lines, such as {@code "Cookie: SESSION=..."}
	 * @param form a form's encoded fields, or {@code null}
	 * @return the status line, head and body
	 * @throws IOException if the connection fails
	 */
	public static Response browse(String method, int port, String path, List<String> headers, String form)
			throws IOException {
		byte[] body = (form != null) ? form.getBytes(StandardCharsets.UTF_8) : new byte[0];
		StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.0\r\nHost: localhost\r\n");
		headers.forEach((header) -> head.append(header).append("\r\n"));
		if (form != null) {
			head.append("Content-Type: application/x-www-form-urlencoded\r\n");
		}
		head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
		return exchange(port, head.toString().getBytes(StandardCharsets.US_ASCII), body);
	}

	/**
	 * Opens a stream of Server-Sent Events, read as it comes.
	 * @param port the port on localhost
	 * @param path the path
	 * @return the open stream, its head read
	 * @throws IOException if the connection fails
	 */
	public static EventStream stream(int port, String path) throws IOException {
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			socket.getOutputStream()
				.write(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			return new EventStream(socket);
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/**
	 * Whether something accepts connections on a port.
	 * @param port the port on localhost
	 * @return whether a connection succeeded
	 */
	public static boolean accepts(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * An HTTP response.
	 *
	 * @param status the status code
	 * @param body the body
	 * @param head the status line and headers
	 */
	public record Response(int status, String body, String head) {

		public Response(int status, String body) {
			this(status, body, "");
		}

		/**
		 * A header's first value.
		 * @param name the header's name, in any case
		 * @return the value, or {@code null} when the response has no such header
		 */
		public String header(String name) {
			for (String line : this.head.split("\r\n")) {
				int colon = line.indexOf(':');
				if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
					return line.substring(colon + 1).trim();
				}
			}
			return null;
		}

		/**
		 * A cookie the response sets.
		 * @param name the cookie's name
		 * @return the cookie as a request sends it back ({@code name=value}), or
		 * {@code null} when the response does not set it
		 */
		public String cookie(String name) {
			for (String line : this.head.split("\r\n")) {
				if (line.regionMatches(true, 0, "Set-Cookie:", 0, 11)) {
					String cookie = line.substring(11).trim().split(";", 2)[0];
					if (cookie.startsWith(name + "=")) {
						return cookie;
					}
				}
			}
			return null;
		}

		/**
		 * The body as JSON.
		 * @return the parsed body
		 */
		public tools.jackson.databind.JsonNode json() {
			return Json.parse(this.body);
		}

		/**
		 * The worker id in a {@code GET /} answer.
		 * @return the worker id
		 */
		public int worker() {
			return Integer.parseInt(find(WORKER));
		}

		/**
		 * The pid in a {@code GET /} answer.
		 * @return the pid
		 */
		public long pid() {
			return Long.parseLong(find(PID));
		}

		private String find(Pattern pattern) {
			Matcher matcher = pattern.matcher(this.body);
			if (!matcher.find()) {
				throw new AssertionError("No " + pattern + " in " + this.body);
			}
			return matcher.group(1);
		}

	}

	/**
	 * A stream of Server-Sent Events on a connection of its own; each read waits at most
	 * its deadline.
	 */
	public static final class EventStream implements AutoCloseable {

		private final Socket socket;

		private final java.io.BufferedReader reader;

		private final String head;

		private EventStream(Socket socket) throws IOException {
			this.socket = socket;
			socket.setSoTimeout(10000);
			this.reader = new java.io.BufferedReader(
					new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			StringBuilder head = new StringBuilder();
			for (String line = this.reader.readLine(); line != null && !line.isEmpty(); line = this.reader.readLine()) {
				head.append(line).append("\r\n");
			}
			this.head = head.toString();
		}

		/**
		 * The status line and headers.
		 * @return the head
		 */
		public String head() {
			return this.head;
		}

		/**
		 * The status code.
		 * @return the code
		 */
		public int status() {
			return Integer.parseInt(this.head.substring(9, 12));
		}

		/**
		 * Reads up to the next event's data, skipping comments.
		 * @param event the event's name
		 * @param deadline how long to wait
		 * @return the data
		 * @throws IOException if the stream ends or nothing comes in time
		 */
		public String next(String event, java.time.Duration deadline) throws IOException {
			long end = System.nanoTime() + deadline.toNanos();
			String name = null;
			while (System.nanoTime() < end) {
				this.socket.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
				String line = this.reader.readLine();
				if (line == null) {
					throw new java.io.EOFException("The stream ended");
				}
				if (line.startsWith("event:")) {
					name = line.substring(6).trim();
				}
				else if (line.startsWith("data:") && event.equals(name)) {
					return line.substring(5).trim();
				}
				else if (line.isEmpty()) {
					name = null;
				}
			}
			throw new java.net.SocketTimeoutException("No '" + event + "' event within " + deadline);
		}

		/**
		 * Reads until the stream ends.
		 * @param deadline how long to wait
		 * @throws IOException if it has not ended in time
		 */
		public void awaitEnd(java.time.Duration deadline) throws IOException {
			long end = System.nanoTime() + deadline.toNanos();
			do {
				if (System.nanoTime() >= end) {
					throw new java.net.SocketTimeoutException("The stream did not end within " + deadline);
				}
				this.socket.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
			}
			while (this.reader.readLine() != null);
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
