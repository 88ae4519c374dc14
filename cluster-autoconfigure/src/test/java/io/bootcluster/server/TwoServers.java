package io.bootcluster.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiFunction;

import io.bootcluster.test.Http;
import io.bootcluster.test.Processes;
import reactor.core.publisher.Mono;

import org.springframework.boot.web.server.WebServer;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two servers of one kind on one port, each answering its own name: what the tests of
 * each server's port sharing ask of them.
 */
final class TwoServers {

	private TwoServers() {
	}

	/**
	 * A reactive handler that answers every request with a name.
	 * @param name the server's name
	 * @return the handler
	 */
	static HttpHandler naming(String name) {
		return (request, response) -> response
			.writeWith(Mono.just(response.bufferFactory().wrap(name.getBytes(StandardCharsets.UTF_8))));
	}

	/**
	 * Starts two servers on one port, checks that the first reports a listener that
	 * really shares the port and that new connections reach both, then stops them.
	 * @param support the port sharing of their kind
	 * @param start starts a server on a port, answering with a name
	 * @throws IOException if a request fails
	 */
	static void shareOnePort(SharedPortSupport support, BiFunction<Integer, String, WebServer> start)
			throws IOException {
		int port = Processes.freePort();
		WebServer first = start.apply(port, "first");
		WebServer second = start.apply(port, "second");
		try {
			BoundListener listener = support.find(first);
			assertThat(listener).isNotNull();
			assertThat(listener.reusePort()).isTrue();
			assertThat(names(port)).containsExactlyInAnyOrder("first", "second");
		}
		finally {
			first.stop();
			second.stop();
		}
	}

	/**
	 * The names the port answers with, on new connections, until two differ (at most 60).
	 * @param port the shared port
	 * @return the names seen
	 * @throws IOException if a request fails
	 */
	static Set<String> names(int port) throws IOException {
		Set<String> names = new HashSet<>();
		for (int i = 0; i < 60 && names.size() < 2; i++) {
			names.add(Http.get(port, "/").body());
		}
		return names;
	}

}
