package io.bootcluster.worker;

import java.util.Map;

import io.bootcluster.internal.ipc.WorkerIdentity;
import org.junit.jupiter.api.Test;

import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerEnvironmentPostProcessorTests {

	private static final WorkerIdentity WORKER = new WorkerIdentity(3, 1, false, null);

	@Test
	void workerNamesItselfInStructuredLogsAndEndsNettyWithoutAQuietPeriod() {
		StandardEnvironment environment = new StandardEnvironment();
		WorkerEnvironmentPostProcessor.addWorkerDefaults(environment, WORKER);
		assertThat(environment.getProperty("logging.structured.json.add.cluster.worker")).isEqualTo("3");
		assertThat(environment.getProperty("logging.structured.json.add.cluster.slot")).isEqualTo("1");
		assertThat(environment.getProperty("spring.reactor.netty.shutdown-quiet-period")).isEqualTo("0s");
	}

	@Test
	void theApplicationsOwnSettingsWin() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("application",
					Map.of("spring.reactor.netty.shutdown-quiet-period", "1s",
							"logging.structured.json.add.cluster.worker", "mine",
							"logging.structured.format.console", "gelf")));
		WorkerEnvironmentPostProcessor.addWorkerDefaults(environment, WORKER);
		assertThat(environment.getProperty("spring.reactor.netty.shutdown-quiet-period")).isEqualTo("1s");
		assertThat(environment.getProperty("logging.structured.json.add.cluster.worker")).isEqualTo("mine");
		assertThat(environment.getProperty("logging.structured.json.add._cluster.worker")).isEqualTo("3");
	}

}
