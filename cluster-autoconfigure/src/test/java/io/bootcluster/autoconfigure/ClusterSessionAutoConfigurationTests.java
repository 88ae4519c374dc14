package io.bootcluster.autoconfigure;

import java.util.HashMap;

import io.bootcluster.session.ClusterSessionRepository;
import io.bootcluster.session.ReactiveClusterSessionRepository;
import io.bootcluster.worker.TestWorkerRuntimes;
import io.bootcluster.worker.WorkerRuntime;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.session.autoconfigure.SessionAutoConfiguration;
import org.springframework.boot.session.data.redis.autoconfigure.SessionDataRedisAutoConfiguration;
import org.springframework.boot.session.jdbc.autoconfigure.JdbcSessionAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.session.MapSessionRepository;
import org.springframework.session.ReactiveSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.data.redis.RedisSessionRepository;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.session.web.http.SessionRepositoryFilter;
import org.springframework.web.server.session.WebSessionManager;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterSessionAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ClusterWorkerAutoConfiguration.class,
				ClusterSessionAutoConfiguration.class, SessionAutoConfiguration.class));

	@Test
	void inAWorkerTheMasterKeepsTheSessions() {
		this.runner.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(1)).run((context) -> {
			assertThat(context).hasSingleBean(ClusterSessionRepository.class);
			assertThat(context).hasSingleBean(SessionRepositoryFilter.class);
		});
	}

	@Test
	void outsideAClusterSessionsAreLeftAlone() {
		this.runner.run((context) -> {
			assertThat(context).doesNotHaveBean(SessionRepository.class);
			assertThat(context).doesNotHaveBean(SessionRepositoryFilter.class);
		});
	}

	@Test
	void withoutSpringSessionNothingChanges() {
		this.runner.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(1))
			.withClassLoader(new FilteredClassLoader(Session.class))
			.run((context) -> assertThat(context).doesNotHaveBean(ClusterSessionRepository.class));
	}

	@Test
	void anApplicationsOwnRepositoryWins() {
		this.runner.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(1))
			.withBean(MapSessionRepository.class, () -> new MapSessionRepository(new HashMap<>()))
			.run((context) -> {
				assertThat(context).doesNotHaveBean(ClusterSessionRepository.class);
				assertThat(context).hasSingleBean(SessionRepository.class);
			});
	}

	@Test
	void springSessionJdbcWins() {
		this.runner.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(1))
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class, JdbcSessionAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(JdbcIndexedSessionRepository.class);
				assertThat(context).doesNotHaveBean(ClusterSessionRepository.class);
			});
	}

	@Test
	void springSessionDataRedisWins() {
		this.runner.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(1))
			.withBean(RedisConnectionFactory.class, LettuceConnectionFactory::new)
			.withConfiguration(AutoConfigurations.of(SessionDataRedisAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(RedisSessionRepository.class);
				assertThat(context).doesNotHaveBean(ClusterSessionRepository.class);
			});
	}

	@Test
	void inAReactiveWorkerTheMasterKeepsTheWebSessions() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ClusterWorkerAutoConfiguration.class,
					ClusterSessionAutoConfiguration.class))
			.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(1))
			.run((context) -> {
				assertThat(context).hasSingleBean(ReactiveClusterSessionRepository.class);
				assertThat(context).hasSingleBean(ReactiveSessionRepository.class);
				assertThat(context).hasSingleBean(WebSessionManager.class);
			});
	}

}
