package io.bootcluster.autoconfigure;

import java.util.Objects;

import io.bootcluster.actuate.ClusterStatusFeed;
import io.bootcluster.actuate.WebFluxClusterPage;
import io.bootcluster.actuate.WebMvcClusterPage;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The live cluster page on every worker, beside the {@code cluster} endpoint it shows:
 * {@code <endpoint>/ui}, fed by {@code <endpoint>/stream}. Served wherever the actuator
 * is (the application's port, or {@code management.server.port}), so the endpoint's
 * exposure and the application's security rules for it cover the page too.
 */
@ManagementContextConfiguration(proxyBeanMethods = false)
@ConditionalOnBean(ClusterStatusFeed.class)
public final class ClusterPageManagementContextConfiguration {

	private static String endpointPath(PathMappedEndpoints endpoints) {
		return Objects.requireNonNull(endpoints.getPath(EndpointId.of("cluster")), "the cluster endpoint's path");
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.SERVLET)
	@ConditionalOnClass(org.springframework.web.servlet.function.support.RouterFunctionMapping.class)
	static class WebMvcConfiguration {

		@Bean
		org.springframework.web.servlet.HandlerMapping clusterPageHandlerMapping(PathMappedEndpoints endpoints,
				ClusterStatusFeed feed) {
			return WebMvcClusterPage.handlerMapping(endpointPath(endpoints), feed);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = Type.REACTIVE)
	@ConditionalOnClass(org.springframework.web.reactive.function.server.support.RouterFunctionMapping.class)
	static class WebFluxConfiguration {

		@Bean
		org.springframework.web.reactive.HandlerMapping clusterPageHandlerMapping(PathMappedEndpoints endpoints,
				ClusterStatusFeed feed) {
			return WebFluxClusterPage.handlerMapping(endpointPath(endpoints), feed);
		}

	}

}
