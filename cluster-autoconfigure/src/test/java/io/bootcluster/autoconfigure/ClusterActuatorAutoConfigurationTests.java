package io.bootcluster.autoconfigure;

import java.util.Set;
import java.util.stream.Collectors;

import io.bootcluster.actuate.ClusterEndpoint;
import io.bootcluster.actuate.ClusterHealthIndicator;
import io.bootcluster.actuate.ClusterMeters;
import io.bootcluster.actuate.MetricsRefreshAdvisor;
import io.bootcluster.actuate.WorkerMeters;
import io.bootcluster.actuate.WorkerTagFilter;
import io.bootcluster.worker.TestWorkerRuntimes;
import io.bootcluster.worker.WorkerRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conditions of the endpoint, health and metrics auto-configurations, and the endpoint's
 * access.
 */
class ClusterActuatorAutoConfigurationTests {

	// As in an application: lenient conversion of values such as "unrestricted"
	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, ClusterWorkerAutoConfiguration.class,
				ClusterEndpointAutoConfiguration.class, ClusterHealthContributorAutoConfiguration.class,
				ClusterMetricsAutoConfiguration.class));

	private final WebApplicationContextRunner worker = this.runner.withBean(WorkerRuntime.class,
			() -> TestWorkerRuntimes.unjoined(7));

	private final WebApplicationContextRunner workerWithMetrics = this.worker
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class));

	@Test
	void outsideAWorkerNothingIsContributed() {
		this.runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=*").run((context) -> {
			assertThat(context).doesNotHaveBean(ClusterEndpoint.class);
			assertThat(context).doesNotHaveBean(ClusterHealthIndicator.class);
			assertThat(context).doesNotHaveBean(ClusterMeters.class);
			assertThat(context).doesNotHaveBean(WorkerTagFilter.class);
		});
	}

	@Test
	void endpointNeedsExposure() {
		this.worker.run((context) -> assertThat(context).doesNotHaveBean(ClusterEndpoint.class));
		this.worker.withPropertyValues("management.endpoints.web.exposure.include=cluster")
			.run((context) -> assertThat(context).hasSingleBean(ClusterEndpoint.class));
	}

	@Test
	void endpointCanBeSwitchedOff() {
		this.worker
			.withPropertyValues("management.endpoints.web.exposure.include=cluster",
					"management.endpoint.cluster.access=none")
			.run((context) -> assertThat(context).doesNotHaveBean(ClusterEndpoint.class));
	}

	@Test
	void endpointIsReadOnlyUnlessTheUserOptsIn() {
		this.worker.withPropertyValues("management.endpoints.web.exposure.include=cluster")
			.run((context) -> assertThat(operations(context)).containsExactly(OperationType.READ));
		this.worker
			.withPropertyValues("management.endpoints.web.exposure.include=cluster",
					"management.endpoint.cluster.access=unrestricted")
			.run((context) -> assertThat(operations(context)).containsExactlyInAnyOrder(OperationType.READ,
					OperationType.WRITE, OperationType.DELETE));
	}

	@Test
	void healthContributorIsOnByDefaultAndCanBeSwitchedOff() {
		this.worker.run((context) -> assertThat(context).hasBean("clusterHealthIndicator"));
		this.worker.withPropertyValues("management.health.cluster.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ClusterHealthIndicator.class));
	}

	@Test
	void workerMetersCarryTheWorkerTagButTheMastersDoNot() {
		this.workerWithMetrics.run((context) -> {
			assertThat(context).hasSingleBean(WorkerMeters.class);
			assertThat(context).hasSingleBean(MetricsRefreshAdvisor.class);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			Counter counter = registry.counter("app.orders");
			assertThat(counter.getId().getTag(WorkerTagFilter.WORKER_TAG)).isEqualTo("7");
			assertThat(registry.get("cluster.workers").tag("state", "listening").gauge().getId().getTags())
				.noneMatch((tag) -> tag.getKey().equals(WorkerTagFilter.WORKER_TAG));
		});
	}

	@Test
	void withoutAMeterRegistryNoMetrics() {
		this.worker.run((context) -> assertThat(context).doesNotHaveBean(ClusterMeters.class));
		this.worker.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run((context) -> {
			assertThat(context).doesNotHaveBean(ClusterMeters.class);
			assertThat(context).doesNotHaveBean(WorkerMeters.class);
		});
	}

	private static Set<OperationType> operations(AssertableWebApplicationContext context) {
		ExposableWebEndpoint endpoint = context.getBean(WebEndpointsSupplier.class)
			.getEndpoints()
			.stream()
			.filter((candidate) -> candidate.getEndpointId().equals(EndpointId.of("cluster")))
			.findFirst()
			.orElseThrow();
		return endpoint.getOperations().stream().map((operation) -> operation.getType()).collect(Collectors.toSet());
	}

}
