package io.bootcluster.actuate;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.bootcluster.autoconfigure.ClusterWorkerAutoConfiguration;
import io.bootcluster.internal.control.StatusBroadcast;
import io.bootcluster.internal.ipc.Action;
import io.bootcluster.test.Http;
import io.bootcluster.test.Json;
import io.bootcluster.worker.TestWorkerRuntimes;
import io.bootcluster.worker.WorkerRuntime;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live page a worker serves beside its {@code cluster} endpoint, on real servers: on
 * the application's port and on the management port, on Tomcat, Jetty and Netty, and its
 * streams, which end as soon as the application closes.
 */
class ClusterPageTests {

	private static final String EXPOSED = "management.endpoints.web.exposure.include=cluster";

	@Test
	void servletPageAndStreamServedBesideTheEndpointReadOnlyByDefault() throws IOException {
		try (ConfigurableApplicationContext context = start(Server.TOMCAT, EXPOSED)) {
			int port = port(context);
			Http.Response page = Http.get(port, "/actuator/cluster/ui");
			assertThat(page.status()).isEqualTo(200);
			assertThat(page.header("Content-Type")).startsWith("text/html");
			assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
			assertThat(page.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
			assertThat(page.body()).contains("<title>Cluster</title>");
			try (Http.EventStream stream = Http.stream(port, "/actuator/cluster/stream")) {
				assertThat(stream.status()).isEqualTo(200);
				assertThat(stream.head()).containsIgnoringCase("Content-Type: text/event-stream");
				JsonNode event = Json.parse(stream.next("status", Duration.ofSeconds(5)));
				assertThat(event.get("writable").asBoolean()).isFalse();
				assertThat(event.get("status").get("masterPid").asLong()).isEqualTo(42);
			}
			// The endpoint's own operations are where they were
			assertThat(Http.get(port, "/actuator/cluster").status()).isEqualTo(200);
		}
	}

	@Test
	void servletPageFollowsTheManagementPortAndPathsAndShowsButtonsWhenWritesAreAllowed() throws IOException {
		try (ConfigurableApplicationContext context = start(Server.JETTY, EXPOSED,
				"management.server.port=0", "management.server.base-path=/admin",
				"management.endpoints.web.base-path=/manage", "management.endpoints.web.path-mapping.cluster=workers",
				"management.endpoint.cluster.access=unrestricted")) {
			int management = managementPort(context);
			assertThat(Http.get(management, "/admin/manage/workers/ui").status()).isEqualTo(200);
			assertThat(Http.get(port(context), "/admin/manage/workers/ui").status()).isEqualTo(404);
			try (Http.EventStream stream = Http.stream(management, "/admin/manage/workers/stream")) {
				assertThat(Json.parse(stream.next("status", Duration.ofSeconds(5))).get("writable").asBoolean())
					.isTrue();
			}
		}
	}

	@Test
	void reactivePageAndStreamOnTheApplicationsPort() throws IOException {
		try (ConfigurableApplicationContext context = start(Server.NETTY, EXPOSED,
				"management.endpoint.cluster.access=unrestricted")) {
			int port = port(context);
			Http.Response page = Http.get(port, "/actuator/cluster/ui");
			assertThat(page.status()).isEqualTo(200);
			assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
			assertThat(page.body()).contains("<title>Cluster</title>");
			try (Http.EventStream stream = Http.stream(port, "/actuator/cluster/stream")) {
				assertThat(stream.head()).containsIgnoringCase("Content-Type: text/event-stream");
				JsonNode event = Json.parse(stream.next("status", Duration.ofSeconds(5)));
				assertThat(event.get("writable").asBoolean()).isTrue();
				assertThat(event.get("status").get("masterPid").asLong()).isEqualTo(42);
			}
		}
	}

	@Test
	void reactivePageOnTheManagementPort() throws IOException {
		try (ConfigurableApplicationContext context = start(Server.NETTY, EXPOSED,
				"management.server.port=0")) {
			int management = managementPort(context);
			assertThat(Http.get(management, "/actuator/cluster/ui").status()).isEqualTo(200);
			try (Http.EventStream stream = Http.stream(management, "/actuator/cluster/stream")) {
				assertThat(Json.parse(stream.next("status", Duration.ofSeconds(5))).get("writable").asBoolean())
					.isFalse();
			}
		}
	}

	@Test
	void withoutWebExposureThereIsNoPage() throws IOException {
		try (ConfigurableApplicationContext context = start(Server.TOMCAT,
				"management.endpoints.web.exposure.include=health",
				"management.endpoints.jmx.exposure.include=cluster")) {
			assertThat(context.getBeansOfType(ClusterStatusFeed.class)).isEmpty();
			assertThat(Http.get(port(context), "/actuator/cluster/ui").status()).isEqualTo(404);
		}
	}

	@Test
	void aFewPagesAtMostWatchAtOnceAndNoneHoldsUpTheGracefulShutdown() throws IOException {
		for (Server server : Server.values()) {
			aFewPagesAtMostWatchAtOnce(server);
		}
	}

	private void aFewPagesAtMostWatchAtOnce(Server server) throws IOException {
		ConfigurableApplicationContext context = start(server, EXPOSED, "server.shutdown=graceful",
				"spring.lifecycle.timeout-per-shutdown-phase=30s");
		int port = port(context);
		List<Http.EventStream> streams = new ArrayList<>();
		try {
			for (int i = 0; i < StatusBroadcast.MAX_SUBSCRIBERS; i++) {
				Http.EventStream stream = Http.stream(port, "/actuator/cluster/stream");
				streams.add(stream);
				stream.next("status", Duration.ofSeconds(5));
			}
			try (Http.EventStream refused = Http.stream(port, "/actuator/cluster/stream")) {
				assertThat(refused.status()).isEqualTo(503);
			}
			// A page that goes gives its place back
			streams.remove(0).close();
			Http.EventStream again = awaitAccepted(port);
			streams.add(again);
			assertThat(again.status()).as(server.name()).isEqualTo(200);
			assertThat(again.next("status", Duration.ofSeconds(5))).contains("\"masterPid\":42");
			// Neither the page that went nor those still open hold up the graceful shutdown:
			// every stream ends as the application starts to close
			long start = System.nanoTime();
			context.close();
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as(server.name())
				.isLessThan(Duration.ofSeconds(10));
			again.awaitEnd(Duration.ofSeconds(2));
		}
		finally {
			context.close();
			for (Http.EventStream stream : streams) {
				stream.close();
			}
		}
	}

	// The closed page's place is free once its writer notices, at its next write
	private static Http.EventStream awaitAccepted(int port) throws IOException {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (true) {
			Http.EventStream stream = Http.stream(port, "/actuator/cluster/stream");
			if (stream.status() == 200 || System.nanoTime() > deadline) {
				return stream;
			}
			stream.close();
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException(ex);
			}
		}
	}

	private static ConfigurableApplicationContext start(Server server, String... properties) {
		List<String> all = new ArrayList<>(List.of(properties));
		all.add("server.port=0");
		all.add("spring.main.banner-mode=off");
		all.add("spring.autoconfigure.exclude=" + String.join(",", server.excluded));
		return new SpringApplicationBuilder(PageApplication.class).web(server.type)
			.properties(all.toArray(String[]::new))
			.run();
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	private static int managementPort(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.management.port"));
	}

	// The test class path has every server: each run keeps one
	private enum Server {

		TOMCAT(WebApplicationType.SERVLET, "jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration",
				"jetty.autoconfigure.actuate.web.server.JettyServletManagementContextAutoConfiguration"),

		JETTY(WebApplicationType.SERVLET, "tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration",
				"tomcat.autoconfigure.actuate.web.server.TomcatServletManagementContextAutoConfiguration"),

		NETTY(WebApplicationType.REACTIVE, "jetty.autoconfigure.reactive.JettyReactiveWebServerAutoConfiguration",
				"tomcat.autoconfigure.reactive.TomcatReactiveWebServerAutoConfiguration",
				"jetty.autoconfigure.actuate.web.server.JettyReactiveManagementContextAutoConfiguration",
				"tomcat.autoconfigure.actuate.web.server.TomcatReactiveManagementContextAutoConfiguration");

		private final WebApplicationType type;

		private final List<String> excluded;

		Server(WebApplicationType type, String... excluded) {
			this.type = type;
			this.excluded = List.of(excluded).stream().map((name) -> "org.springframework.boot." + name).toList();
		}

	}

	/**
	 * A worker's application whose master always gives the same status.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration(exclude = ClusterWorkerAutoConfiguration.class)
	static class PageApplication {

		@Bean
		WorkerRuntime workerRuntime() {
			return TestWorkerRuntimes.unjoined(7);
		}

		@Bean
		MasterClient masterClient(WorkerRuntime runtime) {
			return new MasterClient(runtime) {

				@Override
				public JsonNode ask(Action action, JsonNode body, Duration timeout) {
					return Json.parse("""
							{"masterPid":42,"desiredWorkers":1,"restarts":0,"workers":[],"events":[],"exits":[],
							"startup":null,"messages":{},"restart":null,"perWorkerState":[],"leader":null}""");
				}

			};
		}

	}

}
