package io.bootcluster.master;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bootcluster.internal.ipc.Action;
import io.bootcluster.internal.control.ClusterPage;
import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.FrameCodec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The master's own {@code /actuator/cluster}, on {@code cluster.master.management-port}:
 * the cluster stays observable, and steerable, while no worker is up. Same contract as the
 * workers' endpoint, served by the JDK's small HTTP server so the master stays free of a
 * web stack. The live page is at {@code /}, fed by {@code /actuator/cluster/stream}
 * (Server-Sent Events, see {@link StatusStream}).
 */
public final class ManagementServer {

	private static final Log logger = LogFactory.getLog(ManagementServer.class);

	private static final String PATH = "/actuator/cluster";

	private static final int HANDLER_THREADS = 4;

	/** How long a client may take to send a request's body. */
	static final Duration BODY_DEADLINE = Duration.ofSeconds(5);

	/** The largest body a command may have. */
	static final int MAX_BODY = 64 * 1024;

	private final HttpServer server;

	private final Supervisor supervisor;

	private final boolean writable;

	// Host headers that name the bound address; empty when bound to every address
	private final Set<String> hosts;

	private final ScheduledExecutorService deadlines = Executors
		.newSingleThreadScheduledExecutor(DaemonThreads.factory("cluster-management-deadline"));

	private final StatusStream stream;

	private ManagementServer(HttpServer server, Supervisor supervisor, boolean writable) {
		this.server = server;
		this.supervisor = supervisor;
		this.writable = writable;
		this.hosts = hosts(server.getAddress());
		this.stream = new StatusStream(supervisor, writable);
	}

	static @Nullable ManagementServer startIfConfigured(Settings settings, Supervisor supervisor) {
		if (settings.port() == null || !settings.readable()) {
			return null;
		}
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress(settings.address(), settings.port()), 16);
			ManagementServer management = new ManagementServer(server, supervisor, settings.writable());
			server.createContext(PATH, management::handle);
			server.createContext("/", management::page);
			// A few threads: a request whose body never comes holds up only its own
			ThreadPoolExecutor executor = new ThreadPoolExecutor(HANDLER_THREADS, HANDLER_THREADS, 30,
					TimeUnit.SECONDS, new ArrayBlockingQueue<>(16), DaemonThreads.factory("cluster-management"));
			executor.allowCoreThreadTimeOut(true);
			server.setExecutor(executor);
			server.start();
			logger.info("Serving " + PATH + " on " + settings.address() + ":" + server.getAddress().getPort()
					+ (settings.writable() ? "" : " (read only)"));
			return management;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not serve " + PATH + " on " + settings.address() + ":"
					+ settings.port() + " (cluster.master.management-port)", ex);
		}
	}

	int port() {
		return this.server.getAddress().getPort();
	}

	void stop() {
		this.server.stop(0);
		this.deadlines.shutdownNow();
		this.stream.stop();
	}

	// A page on another site whose name resolves to this address (DNS rebinding) sends its
	// own name as the Host
	private static Set<String> hosts(InetSocketAddress address) {
		InetAddress bound = address.getAddress();
		if (bound.isAnyLocalAddress()) {
			return Set.of();
		}
		Set<String> hosts = new HashSet<>();
		hosts.add((bound instanceof Inet6Address) ? "[" + bound.getHostAddress() + "]" : bound.getHostAddress());
		if (bound.isLoopbackAddress()) {
			hosts.addAll(List.of("localhost", "127.0.0.1", "[::1]"));
		}
		return hosts.stream().map((host) -> host.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
	}

	// The name in a Host header, without its port
	private static String hostName(String host) {
		int colon = host.lastIndexOf(':');
		boolean hasPort = colon > 0 && (host.charAt(0) != '[' || host.charAt(colon - 1) == ']');
		return (hasPort ? host.substring(0, colon) : host).toLowerCase(Locale.ROOT);
	}

	// The live page, at the root: plain HTML, its style and script inside it
	private void page(HttpExchange exchange) throws IOException {
		try (exchange) {
			if (!isOwnHost(exchange)) {
				exchange.sendResponseHeaders(403, -1);
				return;
			}
			if (!exchange.getRequestURI().getPath().equals("/") || !exchange.getRequestMethod().equals("GET")) {
				exchange.sendResponseHeaders(404, -1);
				return;
			}
			byte[] page = ClusterPage.html();
			ClusterPage.HEADERS.forEach(exchange.getResponseHeaders()::set);
			exchange.sendResponseHeaders(200, page.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(page);
			}
		}
	}

	private boolean isOwnHost(HttpExchange exchange) {
		String host = exchange.getRequestHeaders().getFirst("Host");
		return this.hosts.isEmpty() || (host != null && this.hosts.contains(hostName(host)));
	}

	private void handle(HttpExchange exchange) throws IOException {
		if (exchange.getRequestURI().getPath().equals(PATH + "/stream") && exchange.getRequestMethod().equals("GET")
				&& isOwnHost(exchange)) {
			// Answered by a thread of the stream's own, for as long as the page watches
			this.stream.subscribe(exchange);
			return;
		}
		try (exchange) {
			Response response;
			try {
				response = route(exchange);
			}
			catch (IllegalArgumentException ex) {
				response = new Response(400, error(ex.getMessage()));
			}
			catch (IllegalStateException ex) {
				response = new Response(503, error(ex.getMessage()));
			}
			byte[] bytes = FrameCodec.mapper().writeValueAsBytes(response.body());
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(response.status(), bytes.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(bytes);
			}
		}
	}

	private Response route(HttpExchange exchange) throws IOException {
		String rest = exchange.getRequestURI().getPath().substring(PATH.length());
		String method = exchange.getRequestMethod();
		if (!isOwnHost(exchange)) {
			return new Response(403, error("Host '" + exchange.getRequestHeaders().getFirst("Host")
					+ "' does not name this endpoint's address"));
		}
		if (rest.isEmpty() && method.equals("GET")) {
			return new Response(200, execute(Action.STATUS, null));
		}
		if (!this.writable && (method.equals("POST") || method.equals("DELETE"))) {
			return new Response(405, error("Write operations need management.endpoint.cluster.access=unrestricted"));
		}
		if (rest.isEmpty() && method.equals("POST")) {
			// A page in a browser can post a form or plain text to a loopback port without
			// asking first, but not JSON
			String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
			if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
				return new Response(415, error("Write operations need Content-Type: application/json"));
			}
			JsonNode body = readBody(exchange.getRequestBody());
			if (body == null) {
				return new Response(413, error("The body is larger than " + MAX_BODY + " bytes"));
			}
			JsonNode action = body.get("action");
			if (action == null || !action.isString()) {
				throw new IllegalArgumentException("Missing 'action': expected restart or scale");
			}
			return new Response(200, execute(Action.command(action.asString()), body));
		}
		if (rest.matches("/\\d{1,9}") && method.equals("DELETE")) {
			ObjectNode body = FrameCodec.mapper().createObjectNode().put("worker", Integer.parseInt(rest.substring(1)));
			return new Response(200, execute(Action.STOP, body));
		}
		return new Response(404, error("No such operation: " + method + " " + exchange.getRequestURI()));
	}

	private JsonNode execute(Action action, @Nullable JsonNode body) {
		return this.supervisor.call(() -> this.supervisor.requests().execute(action, body));
	}

	// Read within a deadline: a client that sends headers and then nothing has its
	// connection closed, by interrupting the read on its channel
	private @Nullable JsonNode readBody(InputStream body) throws IOException {
		Thread reader = Thread.currentThread();
		AtomicBoolean reading = new AtomicBoolean(true);
		ScheduledFuture<?> deadline = this.deadlines.schedule(() -> {
			synchronized (reading) {
				if (reading.get()) {
					reader.interrupt();
				}
			}
		}, BODY_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
		byte[] bytes;
		try {
			bytes = body.readNBytes(MAX_BODY + 1);
		}
		finally {
			synchronized (reading) {
				reading.set(false);
			}
			deadline.cancel(false);
			// No interrupt comes after this: the thread goes on to other requests clean
			Thread.interrupted();
		}
		if (bytes.length > MAX_BODY) {
			return null;
		}
		try {
			return FrameCodec.mapper().readTree(bytes);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("Body is not JSON: " + ex.getOriginalMessage());
		}
	}

	private static JsonNode error(String message) {
		return FrameCodec.mapper().createObjectNode().put("error", message);
	}

	private record Response(int status, JsonNode body) {
	}

	/**
	 * Where and how the master serves its endpoint.
	 *
	 * @param port the port, or {@code null} for no endpoint on the master
	 * @param address the address to bind
	 * @param readable whether the endpoint may be read at all
	 * @param writable whether operators may restart, scale and stop workers through it
	 */
	public record Settings(@Nullable Integer port, String address, boolean readable, boolean writable) {
	}

}
