package io.bootcluster.master;

import java.util.List;
import java.util.Set;

import io.bootcluster.ClusterStatus.PerWorkerState;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class PerWorkerStateDetectorTests {

	private static final String JDBC = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";

	private static final String HIKARI = "com.zaxxer.hikari.HikariDataSource";

	private static final String CACHE = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration";

	private final MockEnvironment environment = new MockEnvironment();

	@Test
	void anEmbeddedDriverWithoutAUrlIsAnInMemoryDatabasePerWorker() {
		List<PerWorkerState> found = detect(WebApplicationType.NONE, 2, JDBC, HIKARI, "org.h2.Driver");
		assertThat(found).extracting(PerWorkerState::kind).containsExactly("database", "connections");
		assertThat(found.get(0).description()).startsWith("No spring.datasource.url, and org.h2.Driver on the class "
				+ "path: an embedded in-memory database. Each worker has its own copy");
		assertThat(found.get(1).description()).startsWith("DataSource pool of up to 10 connections per worker, 20 in all");
	}

	@Test
	void inMemoryUrlsOfEachEmbeddedDatabase() {
		for (String url : List.of("jdbc:h2:mem:testdb", "jdbc:hsqldb:mem:shop", "jdbc:derby:memory:shop;create=true")) {
			this.environment.setProperty("spring.datasource.url", url);
			assertThat(detect(WebApplicationType.NONE, 3, JDBC)).singleElement()
				.satisfies((state) -> assertThat(state.description()).contains(url + " is an in-memory database"));
		}
	}

	@Test
	void aDatabaseServerIsSharedButItsPoolMultiplies() {
		this.environment.setProperty("spring.datasource.url", "jdbc:postgresql://db/shop");
		this.environment.setProperty("spring.datasource.hikari.maximum-pool-size", "25");
		assertThat(detect(WebApplicationType.NONE, 4, JDBC, HIKARI, "org.h2.Driver")).singleElement()
			.satisfies((state) -> assertThat(state.description())
				.startsWith("DataSource pool of up to 25 connections per worker, 100 in all"));
	}

	@Test
	void anH2FileDatabaseOnlyOneProcessMayOpen() {
		this.environment.setProperty("spring.datasource.url", "jdbc:h2:file:./data/shop");
		assertThat(detect(WebApplicationType.NONE, 2, JDBC)).singleElement()
			.satisfies((state) -> assertThat(state.description()).contains("which one process at a time may open"));
		this.environment.setProperty("spring.datasource.url", "jdbc:h2:file:./data/shop;AUTO_SERVER=TRUE");
		assertThat(detect(WebApplicationType.NONE, 2, JDBC)).isEmpty();
	}

	@Test
	void withoutJdbcThereIsNoDatabase() {
		assertThat(detect(WebApplicationType.NONE, 2, HIKARI, "org.h2.Driver")).isEmpty();
	}

	@Test
	void localCachesAreSharedCachesAreNot() {
		assertThat(detect(WebApplicationType.NONE, 2, CACHE)).singleElement()
			.satisfies((state) -> assertThat(state.description()).startsWith("Caches in memory (simple)"));
		assertThat(detect(WebApplicationType.NONE, 2, CACHE, "com.github.benmanes.caffeine.cache.Caffeine"))
			.singleElement()
			.satisfies((state) -> assertThat(state.description()).startsWith("Caches in memory (caffeine)"));
		assertThat(detect(WebApplicationType.NONE, 2, CACHE,
				"org.springframework.data.redis.connection.RedisConnectionFactory"))
			.isEmpty();
		this.environment.setProperty("spring.cache.type", "none");
		assertThat(detect(WebApplicationType.NONE, 2, CACHE)).isEmpty();
	}

	@Test
	void servletSessionsAreInMemoryUnlessSpringSessionStoresThem() {
		assertThat(detect(WebApplicationType.SERVLET, 2)).extracting(PerWorkerState::kind).containsExactly("sessions");
		assertThat(detect(WebApplicationType.SERVLET, 2, "org.springframework.session.Session")).isEmpty();
		assertThat(detect(WebApplicationType.REACTIVE, 2)).isEmpty();
		assertThat(detect(WebApplicationType.REACTIVE, 2,
				"org.springframework.security.web.server.SecurityWebFilterChain"))
			.extracting(PerWorkerState::kind)
			.containsExactly("sessions");
	}

	@Test
	void theConfiguredWebApplicationTypeWinsOverTheDeducedOne() {
		this.environment.setProperty("spring.main.web-application-type", "none");
		assertThat(detect(WebApplicationType.SERVLET, 2, "org.springframework.web.socket.WebSocketHandler")).isEmpty();
	}

	@Test
	void webSocketSessionsStayInTheirWorker() {
		assertThat(detect(WebApplicationType.SERVLET, 2, "org.springframework.session.Session",
				"org.springframework.web.socket.WebSocketHandler"))
			.extracting(PerWorkerState::kind)
			.containsExactly("websocket");
	}

	@Test
	void oneLineForTheLog() {
		assertThat(PerWorkerStateDetector.describe(List.of(new PerWorkerState("cache", "Caches in memory"),
				new PerWorkerState("sessions", "HTTP sessions in memory")), 2))
			.isEqualTo("The application runs 2 times, and each worker keeps its own state: [cache] Caches in memory. "
					+ "[sessions] HTTP sessions in memory.");
	}

	private List<PerWorkerState> detect(WebApplicationType type, int processes, String... present) {
		return new PerWorkerStateDetector(this.environment, Set.of(present)::contains, type).detect(processes);
	}

}
