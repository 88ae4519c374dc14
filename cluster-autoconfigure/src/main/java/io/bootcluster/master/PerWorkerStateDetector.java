package io.bootcluster.master;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

import io.bootcluster.ClusterStatus.PerWorkerState;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.WebApplicationType;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Tells, from the application's configuration and class path alone (the master creates
 * none of its beans), what each worker will keep to itself once the application runs N
 * times: an in-memory database, in-memory caches and HTTP sessions, WebSocket sessions,
 * and connection pools that multiply. What it finds, the master logs at startup and
 * reports in {@code /actuator/cluster} and the health details. Stateless.
 */
final class PerWorkerStateDetector {

	private static final String DATA_SOURCE_AUTO_CONFIGURATION = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";

	private static final String CACHE_AUTO_CONFIGURATION = "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration";

	private static final List<String> EMBEDDED_DRIVERS = List.of("org.h2.Driver", "org.hsqldb.jdbc.JDBCDriver",
			"org.apache.derby.iapi.jdbc.AutoloadedDriver", "org.apache.derby.jdbc.EmbeddedDriver");

	private static final Set<String> SHARED_CACHE_TYPES = Set.of("redis", "hazelcast", "couchbase", "infinispan",
			"none");

	private static final List<String> SHARED_CACHE_CLASSES = List.of(
			"org.springframework.data.redis.connection.RedisConnectionFactory", "com.hazelcast.core.HazelcastInstance",
			"org.infinispan.spring.embedded.provider.SpringEmbeddedCacheManager",
			"com.couchbase.client.java.Cluster");

	private static final String SPRING_SESSION = "org.springframework.session.Session";

	private static final String SPRING_SECURITY_WEBFLUX = "org.springframework.security.web.server.SecurityWebFilterChain";

	private final Environment environment;

	private final Predicate<String> classPresent;

	private final WebApplicationType webApplicationType;

	PerWorkerStateDetector(Environment environment, Predicate<String> classPresent,
			@Nullable WebApplicationType deduced) {
		this.environment = environment;
		this.classPresent = classPresent;
		this.webApplicationType = webApplicationType(environment, deduced);
	}

	/**
	 * Looks at an application.
	 * @param environment its environment
	 * @param classLoader its class loader
	 * @param deduced its web application type, as deduced from the class path
	 * @return the detector
	 */
	static PerWorkerStateDetector of(Environment environment, ClassLoader classLoader,
			@Nullable WebApplicationType deduced) {
		return new PerWorkerStateDetector(environment, (name) -> ClassUtils.isPresent(name, classLoader), deduced);
	}

	// The master runs before Boot binds spring.main.* to the application
	private static WebApplicationType webApplicationType(Environment environment,
			@Nullable WebApplicationType deduced) {
		String configured = environment.getProperty("spring.main.web-application-type");
		try {
			if (configured != null) {
				return WebApplicationType.valueOf(configured.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
			}
		}
		catch (IllegalArgumentException ex) {
			// The workers' startup says what is wrong with it
		}
		return (deduced != null) ? deduced : WebApplicationType.NONE;
	}

	/**
	 * What each worker keeps to itself.
	 * @param processes how many workers and standbys the cluster runs
	 * @return the findings, possibly none
	 */
	List<PerWorkerState> detect(int processes) {
		List<PerWorkerState> found = new ArrayList<>();
		database(processes, found);
		cache(found);
		sessions(found);
		return found;
	}

	private void database(int processes, List<PerWorkerState> found) {
		if (!isPresent(DATA_SOURCE_AUTO_CONFIGURATION)) {
			return;
		}
		String url = this.environment.getProperty("spring.datasource.url");
		String embedded = (url == null) ? EMBEDDED_DRIVERS.stream().filter(this::isPresent).findFirst().orElse(null)
				: null;
		if (url == null && embedded == null) {
			return;
		}
		String lowerUrl = (url != null) ? url.toLowerCase(Locale.ROOT) : "";
		if (embedded != null || lowerUrl.startsWith("jdbc:h2:mem:") || lowerUrl.startsWith("jdbc:hsqldb:mem:")
				|| lowerUrl.startsWith("jdbc:derby:memory:")) {
			String which = (url != null) ? "spring.datasource.url=" + url + " is an in-memory database"
					: "No spring.datasource.url, and " + embedded + " on the class path: an embedded in-memory database";
			found.add(new PerWorkerState("database", which + ". Each worker has its own copy: what one writes, the "
					+ "others never see. Use a database server (or a file database in server mode) for shared data"));
		}
		else if (lowerUrl.startsWith("jdbc:h2:") && !lowerUrl.contains("auto_server=true")
				&& !lowerUrl.startsWith("jdbc:h2:tcp:") && !lowerUrl.startsWith("jdbc:h2:ssl:")) {
			found.add(new PerWorkerState("database", "spring.datasource.url=" + url + " is an H2 file database, "
					+ "which one process at a time may open: the other workers fail to start. Add ;AUTO_SERVER=TRUE "
					+ "to the URL or use a database server"));
		}
		int pool = this.environment.getProperty("spring.datasource.hikari.maximum-pool-size", Integer.class, 10);
		if (isPresent("com.zaxxer.hikari.HikariDataSource") && pool > 0) {
			found.add(new PerWorkerState("connections", "DataSource pool of up to " + pool + " connections per "
					+ "worker, " + (pool * processes) + " in all: check that the database allows that many"));
		}
	}

	private void cache(List<PerWorkerState> found) {
		if (!isPresent(CACHE_AUTO_CONFIGURATION)) {
			return;
		}
		String type = this.environment.getProperty("spring.cache.type");
		if (type != null ? SHARED_CACHE_TYPES.contains(type.trim().toLowerCase(Locale.ROOT))
				: SHARED_CACHE_CLASSES.stream().anyMatch(this::isPresent)) {
			return;
		}
		String kind = (type != null) ? type.trim().toLowerCase(Locale.ROOT)
				: isPresent("com.github.benmanes.caffeine.cache.Caffeine") ? "caffeine" : "simple";
		found.add(new PerWorkerState("cache", "Caches in memory (" + kind + "): each worker caches for itself, so "
				+ "an entry evicted in one worker stays in the others. Evict in every worker with a broadcast "
				+ "(ClusterMessenger), or use a shared cache (Redis, Hazelcast)"));
	}

	private void sessions(List<PerWorkerState> found) {
		boolean sharedSessions = isPresent(SPRING_SESSION);
		if (this.webApplicationType == WebApplicationType.SERVLET && !sharedSessions) {
			found.add(new PerWorkerState("sessions", "HTTP sessions in memory: a session made through one worker "
					+ "(a login, a cart) is unknown to the worker that takes the client's next connection. Add "
					+ "Spring Session (org.springframework.boot:spring-boot-session) and the master keeps the sessions "
					+ "for every worker; or keep no state in sessions"));
		}
		else if (this.webApplicationType == WebApplicationType.REACTIVE && !sharedSessions
				&& isPresent(SPRING_SECURITY_WEBFLUX)) {
			found.add(new PerWorkerState("sessions", "Web sessions in memory: a login through one worker is unknown "
					+ "to the worker that takes the client's next connection. Add Spring Session "
					+ "(org.springframework.boot:spring-boot-session) and the master keeps the sessions for every "
					+ "worker"));
		}
		if (this.webApplicationType != WebApplicationType.NONE
				&& isPresent("org.springframework.web.socket.WebSocketHandler")) {
			found.add(new PerWorkerState("websocket", "WebSocket sessions live in the worker that accepted them: "
					+ "a message for a client connected to another worker must be relayed (a message broker, or "
					+ "a broadcast through ClusterMessenger)"));
		}
	}

	private boolean isPresent(String className) {
		return this.classPresent.test(className);
	}

	/**
	 * The findings as one line for the log.
	 * @param found the findings
	 * @param workers how many workers run the application
	 * @return the line
	 */
	static String describe(List<PerWorkerState> found, int workers) {
		StringBuilder line = new StringBuilder("The application runs " + workers
				+ " times, and each worker keeps its own state:");
		for (PerWorkerState state : found) {
			line.append(" [").append(state.kind()).append("] ").append(state.description()).append('.');
		}
		return line.toString();
	}

}
