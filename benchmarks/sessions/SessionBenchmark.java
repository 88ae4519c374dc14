package sessions;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpSession;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.session.MapSessionRepository;
import org.springframework.session.config.annotation.web.http.EnableSpringHttpSession;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The time a request that reads and saves an HTTP session takes, one request at a time: in
 * a cluster of two workers whose master keeps the sessions, beside one plain JVM on Spring
 * Session's map store. On a kept-alive connection (one worker serves the session from its
 * copy), and on a new connection each time (either worker, which asks the master). Run as
 * {@code SessionBenchmark measure <port>}; it starts both applications itself.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class SessionBenchmark {

	private static final int WARMUP = 20_000;

	private static final int MEASURED = 20_000;

	private static final int NEW_CONNECTIONS = 10_000;

	public static void main(String[] args) throws Exception {
		if (args.length > 1 && args[0].equals("measure")) {
			measure(Integer.parseInt(args[1]));
		}
		else {
			SpringApplication.run(SessionBenchmark.class, args);
		}
	}

	private static void measure(int port) throws Exception {
		long[] map = run(port, "--cluster.enabled=false", "--benchmark.map-store=true");
		long[] cluster = run(port, "--cluster.workers=2");
		// What the cluster adds to a request that has no session: the baseline
		System.out.printf("sessions none: single JVM p50 %d us, p99 %d us; cluster p50 %d us, p99 %d us%n", map[2],
				map[5], cluster[2], cluster[5]);
		System.out.printf("sessions none, new connections: single JVM p50 %d us, p99 %d us; cluster p50 %d us, "
				+ "p99 %d us%n", map[6], map[7], cluster[6], cluster[7]);
		System.out.printf("sessions new connections: map store p50 %d us, p99 %d us; cluster p50 %d us, p99 %d us; "
				+ "added p50 %d us, p99 %d us%n", map[3], map[4], cluster[3], cluster[4], cluster[3] - map[3],
				cluster[4] - map[4]);
		System.out.printf("sessions map store: p50 %d us, p99 %d us%n", map[0], map[1]);
		System.out.printf("sessions cluster: p50 %d us, p99 %d us%n", cluster[0], cluster[1]);
		System.out.printf("sessions added: p50 %d us, p99 %d us%n", cluster[0] - map[0], cluster[1] - map[1]);
	}

	// The application with these arguments, measured in microseconds: p50 and p99 of a
	// request that reads and saves a session on a kept-alive connection, p50 of one without
	// a session, and p50 and p99 of the first on a new connection each time (which, in a
	// cluster, lands on either worker)
	private static long[] run(int port, String... arguments) throws Exception {
		List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
				System.getProperty("java.class.path"), SessionBenchmark.class.getName(), "--server.port=" + port,
				"--logging.level.root=warn"));
		command.addAll(List.of(arguments));
		Process application = new ProcessBuilder(command).inheritIO().start();
		try {
			HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
			URI uri = URI.create("http://127.0.0.1:" + port + "/count");
			String cookie = awaitSession(client, uri);
			HttpRequest counted = HttpRequest.newBuilder(uri).header("Cookie", cookie).build();
			HttpRequest plain = HttpRequest.newBuilder(uri.resolve("/plain")).build();
			latencies(client, counted, WARMUP);
			latencies(client, plain, WARMUP);
			long[] session = latencies(client, counted, MEASURED);
			long[] none = latencies(client, plain, MEASURED);
			newConnectionLatencies(port, cookie, NEW_CONNECTIONS);
			long[] newConnections = newConnectionLatencies(port, cookie, NEW_CONNECTIONS);
			long[] newConnectionsNone = newConnectionLatencies(port, null, NEW_CONNECTIONS);
			return new long[] { session[MEASURED / 2], session[MEASURED * 99 / 100], none[MEASURED / 2],
					newConnections[NEW_CONNECTIONS / 2], newConnections[NEW_CONNECTIONS * 99 / 100],
					none[MEASURED * 99 / 100], newConnectionsNone[NEW_CONNECTIONS / 2],
					newConnectionsNone[NEW_CONNECTIONS * 99 / 100] };
		}
		finally {
			application.destroy();
			application.waitFor(60, TimeUnit.SECONDS);
		}
	}

	// Sorted, in microseconds: a connection opened, the request sent, the whole answer read
	private static long[] newConnectionLatencies(int port, @Nullable String cookie, int count) throws IOException {
		String head = (cookie != null) ? "GET /count HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie
				: "GET /plain HTTP/1.1\r\nHost: 127.0.0.1";
		byte[] request = (head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
		long[] micros = new long[count];
		for (int i = 0; i < count; i++) {
			long sent = System.nanoTime();
			byte[] response;
			try (Socket socket = new Socket("127.0.0.1", port)) {
				socket.setTcpNoDelay(true);
				socket.getOutputStream().write(request);
				response = socket.getInputStream().readAllBytes();
			}
			micros[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sent);
			if (!new String(response, 0, 12, StandardCharsets.US_ASCII).equals("HTTP/1.1 200")) {
				throw new IllegalStateException(new String(response, StandardCharsets.US_ASCII));
			}
		}
		Arrays.sort(micros);
		return micros;
	}

	// Sorted, in microseconds
	private static long[] latencies(HttpClient client, HttpRequest request, int count) throws Exception {
		long[] micros = new long[count];
		for (int i = 0; i < count; i++) {
			long sent = System.nanoTime();
			HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
			micros[i] = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sent);
			if (response.statusCode() != 200) {
				throw new IllegalStateException("Status " + response.statusCode() + " from " + request.uri());
			}
		}
		Arrays.sort(micros);
		return micros;
	}

	private static String awaitSession(HttpClient client, URI uri) throws Exception {
		long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		while (true) {
			try {
				HttpResponse<String> first = client.send(HttpRequest.newBuilder(uri).build(),
						HttpResponse.BodyHandlers.ofString());
				return first.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
			}
			catch (ConnectException ex) {
				if (System.nanoTime() > deadline) {
					throw new IOException("The application did not start within 2 minutes", ex);
				}
				Thread.sleep(200);
			}
		}
	}

	@RestController
	static class Counter {

		@GetMapping("/count")
		Map<String, Object> count(HttpSession session) {
			Integer count = (Integer) session.getAttribute("count");
			session.setAttribute("count", (count != null) ? count + 1 : 1);
			return Map.of("count", session.getAttribute("count"));
		}

		@GetMapping("/plain")
		Map<String, Object> plain() {
			return Map.of("count", 0);
		}

	}

	/**
	 * Spring Session's map store, in one plain JVM: the figure to compare with.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty("benchmark.map-store")
	@EnableSpringHttpSession
	static class MapStore {

		@Bean
		MapSessionRepository sessionRepository() {
			return new MapSessionRepository(new ConcurrentHashMap<>());
		}

	}

}
