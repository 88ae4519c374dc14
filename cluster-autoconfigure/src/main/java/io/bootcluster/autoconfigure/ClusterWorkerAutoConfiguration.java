package io.bootcluster.autoconfigure;

import io.bootcluster.ClusterMessenger;
import io.bootcluster.actuate.MasterClient;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.messaging.AnsweringEventListenerFactory;
import io.bootcluster.server.SharedPortSupport;
import io.bootcluster.worker.ReadinessReporter;
import io.bootcluster.worker.RequestCountingFilter;
import io.bootcluster.worker.RequestCountingWebFilter;
import io.bootcluster.worker.SharedPortLifecycle;
import io.bootcluster.worker.StandbyGate;
import io.bootcluster.worker.WorkerRuntime;
import jakarta.servlet.Filter;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.server.WebFilter;

/**
 * {@link AutoConfiguration Auto-configuration} of a worker: its web server shares the
 * port, and the master learns when it listens. Only a JVM started by a master has the
 * {@link WorkerRuntime} this depends on; elsewhere nothing here exists.
 */
@AutoConfiguration
@ConditionalOnBean(WorkerRuntime.class)
@EnableConfigurationProperties(ClusterProperties.class)
@Import({ PortSharingConfigurations.TomcatConfiguration.class, PortSharingConfigurations.JettyConfiguration.class,
		PortSharingConfigurations.NettyConfiguration.class })
public final class ClusterWorkerAutoConfiguration {

	@Bean
	MasterClient clusterMasterClient(WorkerRuntime runtime) {
		return new MasterClient(runtime);
	}

	@Bean
	StandbyGate clusterStandbyGate(WorkerRuntime runtime, ObjectProvider<SharedPortSupport> supports,
			ApplicationContext context) {
		return new StandbyGate(runtime, supports.orderedStream().toList(), context);
	}

	@Bean
	ReadinessReporter clusterReadinessReporter(WorkerRuntime runtime) {
		return new ReadinessReporter(runtime);
	}

	@Bean
	@ConditionalOnMissingBean
	ClusterMessenger clusterMessenger(WorkerRuntime runtime, ApplicationEventPublisher publisher,
			ObjectProvider<JsonMapper> jsonMapper) {
		return runtime.createMessenger(publisher::publishEvent, jsonMapper.getIfUnique(FrameCodec::mapper));
	}

	@Bean
	static AnsweringEventListenerFactory clusterAnsweringEventListenerFactory() {
		return new AnsweringEventListenerFactory();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	@ConditionalOnClass(WebFilter.class)
	static class ReactiveRequestCountingConfiguration {

		@Bean
		RequestCountingWebFilter clusterRequestCountingWebFilter(WorkerRuntime runtime) {
			return new RequestCountingWebFilter(runtime);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(Filter.class)
	static class RequestCountingConfiguration {

		@Bean
		RequestCountingFilter clusterRequestCountingFilter(WorkerRuntime runtime) {
			return new RequestCountingFilter(runtime);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(WebServerInitializedEvent.class)
	static class ListeningConfiguration {

		@Bean
		SharedPortLifecycle clusterSharedPortLifecycle(WorkerRuntime runtime,
				ObjectProvider<SharedPortSupport> supports, ClusterProperties properties) {
			return new SharedPortLifecycle(runtime, supports.orderedStream().toList(),
					properties.getWorker().getDrainTimeout());
		}

	}

}
