package io.bootcluster.autoconfigure;

import io.bootcluster.actuate.ClusterEndpoint;
import io.bootcluster.actuate.MasterClient;
import io.bootcluster.worker.WorkerRuntime;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link AutoConfiguration Auto-configuration} of the {@code cluster} actuator endpoint in
 * a worker. Exposed like any endpoint ({@code management.endpoints.web.exposure.include});
 * its write operations need {@code management.endpoint.cluster.access=unrestricted}.
 */
@AutoConfiguration(after = ClusterWorkerAutoConfiguration.class)
@ConditionalOnClass(WebEndpoint.class)
@ConditionalOnBean(WorkerRuntime.class)
@ConditionalOnAvailableEndpoint(ClusterEndpoint.class)
public final class ClusterEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClusterEndpoint clusterEndpoint(MasterClient master) {
		return new ClusterEndpoint(master);
	}

}
