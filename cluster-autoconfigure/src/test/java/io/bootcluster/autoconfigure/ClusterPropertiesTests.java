package io.bootcluster.autoconfigure;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ClusterPropertiesTests {

	@Test
	void defaults() {
		ClusterProperties properties = bind(Map.of());
		assertThat(properties.isClustered()).isFalse();
		assertThat(properties.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(properties.getWorker().getStartupTimeout()).isEqualTo(Duration.ofSeconds(60));
		assertThat(properties.getWorker().getJvmArguments()).isEmpty();
		assertThat(properties.getWorker().getMinMemory()).isEqualTo(DataSize.ofMegabytes(512));
		assertThat(properties.getRestart().getInitialBackoff()).isEqualTo(Duration.ofMillis(100));
		assertThat(properties.getRestart().getBackoffMultiplier()).isEqualTo(1.5);
		assertThat(properties.getRestart().getMaxBackoff()).isEqualTo(Duration.ofSeconds(15));
		assertThat(properties.getRestart().getStableUptime()).isEqualTo(Duration.ofSeconds(30));
		assertThat(properties.getRestart().getMaxCrashes()).isEqualTo(10);
		assertThat(properties.getIpc().getMaxFrameSize()).isEqualTo(DataSize.ofMegabytes(1));
	}

	@Test
	void autoMeansOneWorkerPerAvailableProcessor() {
		ClusterProperties properties = bind(Map.of("cluster.workers", " Auto "));
		assertThat(properties.isClustered()).isTrue();
		assertThat(properties.resolveWorkers(() -> 6)).isEqualTo(6);
		assertThat(properties.requestedWorkers()).isNull();
	}

	@Test
	void numberIsTakenAsIs() {
		assertThat(bind(Map.of("cluster.workers", "3")).resolveWorkers(() -> 6)).isEqualTo(3);
		assertThat(bind(Map.of("cluster.workers", "3")).requestedWorkers()).isEqualTo(3);
	}

	@Test
	void everyPropertyBindsFromItsDocumentedName() {
		Map<String, String> source = new HashMap<>();
		source.put("cluster.workers", "2");
		source.put("cluster.shutdown-timeout", "5s");
		source.put("cluster.worker.jvm-arguments", "-Xmx256m,-Dx=1");
		source.put("cluster.worker.startup-timeout", "2m");
		source.put("cluster.worker.id", "7");
		source.put("cluster.restart.initial-backoff", "1s");
		source.put("cluster.restart.backoff-multiplier", "2");
		source.put("cluster.restart.max-backoff", "1m");
		source.put("cluster.restart.stable-uptime", "10s");
		source.put("cluster.restart.max-crashes", "3");
		source.put("cluster.ipc.max-frame-size", "64KB");
		source.put("cluster.worker.min-memory", "1GB");
		source.put("cluster.sessions.max-bytes", "64MB");
		source.put("cluster.sessions.max-session-size", "16KB");
		ClusterProperties properties = bind(source);
		assertThat(properties.getShutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(properties.getWorker().getJvmArguments()).containsExactly("-Xmx256m", "-Dx=1");
		assertThat(properties.getWorker().getStartupTimeout()).isEqualTo(Duration.ofMinutes(2));
		assertThat(properties.getWorker().getId()).isEqualTo(7);
		assertThat(properties.getRestart().getInitialBackoff()).isEqualTo(Duration.ofSeconds(1));
		assertThat(properties.getRestart().getBackoffMultiplier()).isEqualTo(2);
		assertThat(properties.getRestart().getMaxBackoff()).isEqualTo(Duration.ofMinutes(1));
		assertThat(properties.getRestart().getStableUptime()).isEqualTo(Duration.ofSeconds(10));
		assertThat(properties.getRestart().getMaxCrashes()).isEqualTo(3);
		assertThat(properties.getIpc().getMaxFrameSize()).isEqualTo(DataSize.ofKilobytes(64));
		assertThat(properties.getWorker().getMinMemory()).isEqualTo(DataSize.ofGigabytes(1));
		assertThat(properties.getSessions().getMaxBytes()).isEqualTo(DataSize.ofMegabytes(64));
		assertThat(ClusterSettings.maxSessionSize(properties)).isEqualTo(16 * 1024);
	}

	@Test
	void aSessionMayTakeWhatOneFrameCarriesUnlessLimitedMore() {
		assertThat(ClusterSettings.maxSessionSize(bind(Map.of("cluster.workers", "2")))).isEqualTo(782_336);
		assertThat(ClusterSettings.maxSessionSize(bind(Map.of("cluster.ipc.max-frame-size", "64KB"))))
			.isEqualTo(45_056);
	}

	@Test
	void disabledClusterIsNotClusteredAndNotChecked() {
		ClusterProperties properties = bind(Map.of("cluster.enabled", "false", "cluster.workers", "abc"));
		assertThat(properties.isClustered()).isFalse();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			cluster.workers                    | abc    | cluster.workers
			cluster.workers                    | -1     | cluster.workers
			cluster.workers                    | 0      | cluster.workers
			cluster.workers                    | 1.5    | cluster.workers
			cluster.shutdown-timeout           | -1s    | cluster.shutdown-timeout
			cluster.shutdown-timeout           | later  | cluster.shutdown-timeout
			cluster.worker.startup-timeout     | 0s     | cluster.worker.startup-timeout
			cluster.restart.initial-backoff    | -1ms   | cluster.restart.initial-backoff
			cluster.restart.backoff-multiplier | 0.5    | cluster.restart.backoff-multiplier
			cluster.restart.max-crashes        | 0      | cluster.restart.max-crashes
			cluster.ipc.max-frame-size         | 10B    | cluster.ipc.max-frame-size
			cluster.enabled                    | maybe  | cluster.enabled
			cluster.sessions.max-bytes         | 0B     | cluster.sessions.max-bytes
			cluster.sessions.max-session-size  | 1MB    | cluster.sessions.max-session-size
			""")
	void invalidValueNamesThePropertyAndWhatItAccepts(String name, String value, String reported) {
		Map<String, String> source = new HashMap<>(Map.of("cluster.workers", "2"));
		source.put(name, value);
		assertThatExceptionOfType(InvalidClusterPropertyException.class).isThrownBy(() -> bind(source))
			.satisfies((ex) -> {
				assertThat(ex.getProperty()).isEqualTo(reported);
				assertThat(String.valueOf(ex.getValue())).isEqualTo(value);
				assertThat(ex.getAccepted()).isEqualTo(ClusterPropertyRules.accepted(reported)).doesNotContain("property's type");
			});
	}

	private static ClusterProperties bind(Map<String, String> source) {
		return ClusterProperties.get(new Binder(new MapConfigurationPropertySource(source)));
	}

}
