package io.bootcluster.autoconfigure;

import io.bootcluster.actuate.ClusterMeters;
import io.bootcluster.actuate.MasterClient;
import io.bootcluster.actuate.MetricsRefreshAdvisor;
import io.bootcluster.actuate.WorkerMeters;
import io.bootcluster.actuate.WorkerTagFilter;
import io.bootcluster.internal.ipc.Action;
import io.bootcluster.worker.StandbyGate;
import io.bootcluster.worker.WorkerRuntime;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link AutoConfiguration Auto-configuration} of cluster-wide metrics in a worker: every
 * meter is tagged with {@code cluster.worker}, the other workers' meters are mirrored
 * before each metrics read, and the master's {@code cluster.*} meters are bound.
 */
@AutoConfiguration(after = ClusterWorkerAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ WorkerRuntime.class, MeterRegistry.class })
public final class ClusterMetricsAutoConfiguration {

	@Bean
	static WorkerTagFilter clusterWorkerTagFilter(WorkerRuntime runtime) {
		return new WorkerTagFilter(runtime.id());
	}

	@Bean
	ClusterMeters clusterMeters(MasterClient master) {
		return new ClusterMeters(master);
	}

	@Bean
	WorkerMeters clusterWorkerMeters(MeterRegistry registry, MasterClient master, WorkerRuntime runtime) {
		WorkerMeters meters = new WorkerMeters(registry, master);
		runtime.onRequest(Action.METRICS, (body) -> meters.snapshot());
		return meters;
	}

	// A standby's requests to itself are not traffic: its meters start from its takeover
	@Bean
	ApplicationListener<StandbyGate.WarmedUpEvent> clusterForgetWarmUpRequests(MeterRegistry registry) {
		return (event) -> registry.getMeters()
			.stream()
			.filter((meter) -> meter.getId().getName().startsWith("http.server.requests"))
			.toList()
			.forEach(registry::remove);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(OperationInvokerAdvisor.class)
	static class RefreshConfiguration {

		@Bean
		MetricsRefreshAdvisor clusterMetricsRefreshAdvisor(ClusterMeters clusterMeters, WorkerMeters workerMeters) {
			return new MetricsRefreshAdvisor(() -> {
				clusterMeters.refresh();
				workerMeters.refresh();
			});
		}

	}

}
