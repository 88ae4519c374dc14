package io.bootcluster.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import io.bootcluster.session.ClusterSessionRepository;
import io.bootcluster.session.ReactiveClusterSessionRepository;
import io.bootcluster.worker.WorkerRuntime;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.config.annotation.web.http.SpringHttpSessionConfiguration;
import org.springframework.session.config.annotation.web.server.SpringWebSessionConfiguration;
import org.springframework.util.unit.DataSize;

/**
 * HTTP sessions shared by every worker: with Spring Session on the class path and no
 * session repository of the application's own, a worker's sessions live in the master.
 * Spring Session's JDBC and Redis stores, configured before, win; outside a cluster
 * nothing here exists.
 * <p>
 * After the data source too: Boot 4.0.0's JDBC session store does not say it comes after
 * it, and being pulled ahead of this class would place it before.
 */
@AutoConfiguration(after = ClusterWorkerAutoConfiguration.class,
		afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
				"org.springframework.boot.session.jdbc.autoconfigure.JdbcSessionAutoConfiguration",
				"org.springframework.boot.session.data.redis.autoconfigure.SessionDataRedisAutoConfiguration",
				"org.springframework.boot.webflux.autoconfigure.WebSessionIdResolverAutoConfiguration" },
		beforeName = { "org.springframework.boot.session.autoconfigure.SessionAutoConfiguration",
				"org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration",
				"org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration" })
@ConditionalOnClass(Session.class)
@ConditionalOnBean(WorkerRuntime.class)
public final class ClusterSessionAutoConfiguration {

	// As Boot's session stores: Spring Session's own timeout first, then the server's
	private static Duration timeout(Environment environment, String serverProperty) {
		String timeout = environment.getProperty("spring.session.timeout", environment.getProperty(serverProperty));
		return (timeout != null) ? DurationStyle.detectAndParse(timeout, ChronoUnit.SECONDS) : Duration.ofMinutes(30);
	}

	// The application's class loader, which loads what it keeps in sessions (a restart
	// class loader with devtools)
	private static ClassLoader classLoader(ResourceLoader resourceLoader) {
		ClassLoader classLoader = resourceLoader.getClassLoader();
		return (classLoader != null) ? classLoader : ClusterSessionAutoConfiguration.class.getClassLoader();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnMissingBean(SessionRepository.class)
	@Import(SpringHttpSessionConfiguration.class)
	static class ServletSessionConfiguration {

		@Bean
		ClusterSessionRepository sessionRepository(WorkerRuntime runtime, Environment environment,
				ResourceLoader resourceLoader, ClusterProperties properties) {
			return new ClusterSessionRepository(runtime, classLoader(resourceLoader),
					timeout(environment, "server.servlet.session.timeout"),
					DataSize.ofBytes(ClusterSettings.maxSessionSize(properties)));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnMissingBean(ReactiveSessionRepository.class)
	@Import(SpringWebSessionConfiguration.class)
	static class ReactiveSessionConfiguration {

		@Bean
		ReactiveClusterSessionRepository reactiveSessionRepository(WorkerRuntime runtime, Environment environment,
				ResourceLoader resourceLoader, ClusterProperties properties) {
			return new ReactiveClusterSessionRepository(runtime, classLoader(resourceLoader),
					timeout(environment, "server.reactive.session.timeout"),
					DataSize.ofBytes(ClusterSettings.maxSessionSize(properties)));
		}

	}

}
