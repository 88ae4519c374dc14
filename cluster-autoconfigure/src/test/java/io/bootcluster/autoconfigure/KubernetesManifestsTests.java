package io.bootcluster.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.bootcluster.test.KubernetesManifests;
import org.junit.jupiter.api.Test;

import org.springframework.boot.convert.ApplicationConversionService;

import static io.bootcluster.test.KubernetesManifests.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifests in {@code deploy/kubernetes} agree with the cluster's properties: the
 * grace period outlasts the stop, the probes ask for Boot's probe groups, which the
 * manifest turns on, and the pieces select each other. That the probe paths answer on a
 * running cluster is checked by {@code ClusterActuatorProcessIT}.
 */
class KubernetesManifestsTests {

	@Test
	void theGracePeriodOutlastsThePreStopPauseAndTheShutdownTimeout() {
		String configured = KubernetesManifests.env().get("CLUSTER_SHUTDOWN_TIMEOUT");
		Duration shutdownTimeout = (configured != null)
				? ApplicationConversionService.getSharedInstance().convert(configured, Duration.class)
				: new ClusterProperties().getShutdownTimeout();
		Number preStop = at(KubernetesManifests.container(), "lifecycle", "preStop", "sleep", "seconds");
		Number grace = at(KubernetesManifests.pod(), "terminationGracePeriodSeconds");
		assertThat(grace.longValue()).isGreaterThan(preStop.longValue() + shutdownTimeout.toSeconds());
	}

	@Test
	void theProbesAskForBootsProbeGroupsWhichTheManifestTurnsOn() {
		Map<String, Object> container = KubernetesManifests.container();
		assertThat(KubernetesManifests.probePaths()).containsExactly("/actuator/health/liveness",
				"/actuator/health/readiness");
		assertThat((String) at(container, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
		Map<String, String> env = KubernetesManifests.env();
		assertThat(env).containsEntry("MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED", "true")
			.containsEntry("CLUSTER_WORKERS", "auto");
		assertThat(env.get("MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE").split(",")).contains("health", "prometheus");
	}

	@Test
	void workersAutoHasLimitsToFollow() {
		Map<String, Object> limits = at(KubernetesManifests.container(), "resources", "limits");
		assertThat(limits).containsKeys("cpu", "memory");
	}

	@Test
	void theServiceAndTheBudgetSelectTheDeploymentsPods() {
		Map<String, Object> deployment = KubernetesManifests.read("deployment.yaml");
		Map<String, Object> service = KubernetesManifests.read("service.yaml");
		Map<String, Object> labels = at(deployment, "spec", "template", "metadata", "labels");
		assertThat(labels).containsAllEntriesOf(at(service, "spec", "selector"));
		assertThat(labels).containsAllEntriesOf(
				at(KubernetesManifests.read("pod-disruption-budget.yaml"), "spec", "selector", "matchLabels"));
		List<Map<String, Object>> ports = at(KubernetesManifests.container(), "ports");
		List<Map<String, Object>> servicePorts = at(service, "spec", "ports");
		assertThat(ports).extracting((port) -> port.get("name")).contains(servicePorts.get(0).get("targetPort"));
		Map<String, Object> annotations = at(deployment, "spec", "template", "metadata", "annotations");
		assertThat(annotations).containsEntry("prometheus.io/path", "/actuator/prometheus")
			.containsEntry("prometheus.io/port", String.valueOf(ports.get(0).get("containerPort")));
	}

}
