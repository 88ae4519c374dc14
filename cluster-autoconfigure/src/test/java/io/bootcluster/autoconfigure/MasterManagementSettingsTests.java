package io.bootcluster.autoconfigure;

import java.util.Map;

import io.bootcluster.master.ManagementServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master's own endpoint follows the actuator's access properties.
 */
class MasterManagementSettingsTests {

	@Test
	void readOnlyByDefaultOnLoopback() {
		ManagementServer.Settings settings = settings(Map.of());
		assertThat(settings.port()).isEqualTo(9100);
		assertThat(settings.address()).isEqualTo("127.0.0.1");
		assertThat(settings.readable()).isTrue();
		assertThat(settings.writable()).isFalse();
	}

	@Test
	void writableWhenTheUserOptsIn() {
		assertThat(settings(Map.of("management.endpoint.cluster.access", "unrestricted")).writable()).isTrue();
		assertThat(settings(Map.of("management.endpoints.access.default", "unrestricted")).writable()).isTrue();
	}

	@Test
	void maxPermittedAccessCaps() {
		ManagementServer.Settings settings = settings(Map.of("management.endpoint.cluster.access", "unrestricted",
				"management.endpoints.access.max-permitted", "read-only"));
		assertThat(settings.readable()).isTrue();
		assertThat(settings.writable()).isFalse();
	}

	@Test
	void noneSwitchesItOff() {
		assertThat(settings(Map.of("management.endpoint.cluster.access", "none")).readable()).isFalse();
	}

	private static ManagementServer.Settings settings(Map<String, String> environment) {
		MockEnvironment env = new MockEnvironment();
		environment.forEach(env::setProperty);
		ClusterProperties properties = ClusterProperties.get(new Binder(new MapConfigurationPropertySource(
				Map.of("cluster.workers", "2", "cluster.master.management-port", "9100"))));
		return ClusterSettings.management(properties, env);
	}

}
