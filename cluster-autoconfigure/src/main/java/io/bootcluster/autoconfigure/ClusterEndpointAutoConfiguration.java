package io.bootcluster.autoconfigure;

import io.bootcluster.actuate.ClusterEndpoint;
import io.bootcluster.actuate.ClusterStatusFeed;
import io.bootcluster.actuate.MasterClient;
import io.bootcluster.worker.WorkerRuntime;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.PropertiesEndpointAccessResolver;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.EndpointAccessResolver;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * {@link AutoConfiguration Auto-configuration} of the {@code cluster} actuator endpoint in
 * a worker. Exposed like any endpoint ({@code management.endpoints.web.exposure.include});
 * its write operations need {@code management.endpoint.cluster.access=unrestricted}.
 * Exposed on the web, it comes with the live cluster page
 * ({@link ClusterPageManagementContextConfiguration}), whose buttons follow the same
 * access.
 */
@AutoConfiguration(after = { ClusterWorkerAutoConfiguration.class, EndpointAutoConfiguration.class })
@ConditionalOnClass(WebEndpoint.class)
@ConditionalOnBean(WorkerRuntime.class)
@ConditionalOnAvailableEndpoint(ClusterEndpoint.class)
public final class ClusterEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ClusterEndpoint clusterEndpoint(MasterClient master) {
		return new ClusterEndpoint(master);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(endpoint = ClusterEndpoint.class, exposure = EndpointExposure.WEB)
	ClusterStatusFeed clusterStatusFeed(MasterClient master, ObjectProvider<EndpointAccessResolver> accessResolver,
			ApplicationContext context) {
		// The same decision that maps the endpoint's write operations, or not
		Access access = accessResolver
			.getIfAvailable(() -> new PropertiesEndpointAccessResolver(context.getEnvironment()))
			.accessFor(EndpointId.of("cluster"), Access.READ_ONLY);
		boolean writable = access == Access.UNRESTRICTED;
		return new ClusterStatusFeed(master, writable, context);
	}

}
