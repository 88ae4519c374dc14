package io.bootcluster.autoconfigure;

import io.bootcluster.ClusterMessenger;
import io.bootcluster.messaging.StandaloneMessenger;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * A {@link ClusterMessenger} for an application that runs outside a cluster, so that code
 * written for the cluster also starts alone: in tests, with {@code cluster.enabled=false},
 * or with a single JVM for comparison. A worker has the channel's messenger instead.
 */
@AutoConfiguration(after = ClusterWorkerAutoConfiguration.class)
public final class ClusterMessagingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClusterMessenger clusterMessenger() {
		return new StandaloneMessenger();
	}

}
