package io.bootcluster.autoconfigure;

import io.bootcluster.actuate.ClusterHealthIndicator;
import io.bootcluster.actuate.MasterClient;
import io.bootcluster.worker.WorkerRuntime;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * {@link AutoConfiguration Auto-configuration} of the {@code cluster} health contributor
 * in a worker. Switched off with {@code management.health.cluster.enabled=false}.
 */
@AutoConfiguration(after = ClusterWorkerAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(WorkerRuntime.class)
@ConditionalOnEnabledHealthIndicator("cluster")
public final class ClusterHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "clusterHealthIndicator")
	ClusterHealthIndicator clusterHealthIndicator(MasterClient master) {
		return new ClusterHealthIndicator(master);
	}

}
