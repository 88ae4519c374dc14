package io.bootcluster.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

import io.bootcluster.test.ClusterProcess;
import io.bootcluster.test.Http;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.jetty.reactive.JettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real Jetty servers in one JVM bind one port, as two workers do: the reactive one,
 * whose adapter differs from the servlet one that the process tests run.
 */
class JettyPortSharingTests {

	private final JettyPortSharing portSharing = new JettyPortSharing();

	@Test
	void reactiveServersShareOnePort() throws IOException {
		int port = ClusterProcess.freePort();
		WebServer first = start(port, "first");
		WebServer second = start(port, "second");
		try {
			BoundListener listener = this.portSharing.find(first);
			assertThat(listener).isNotNull();
			assertThat(listener.reusePort()).isTrue();
			Set<String> answers = new HashSet<>();
			for (int i = 0; i < 60 && answers.size() < 2; i++) {
				answers.add(Http.get(port, "/").body());
			}
			assertThat(answers).containsExactlyInAnyOrder("first", "second");
		}
		finally {
			first.stop();
			second.stop();
		}
	}

	private WebServer start(int port, String name) {
		JettyReactiveWebServerFactory factory = new JettyReactiveWebServerFactory(port);
		factory.addServerCustomizers(this.portSharing);
		WebServer server = factory.getWebServer((request, response) -> response
			.writeWith(Mono.just(response.bufferFactory().wrap(name.getBytes(StandardCharsets.UTF_8)))));
		server.start();
		return server;
	}

}
