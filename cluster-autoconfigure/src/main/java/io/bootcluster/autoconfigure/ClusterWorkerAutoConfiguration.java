package io.bootcluster.autoconfigure;

import io.bootcluster.actuate.MasterClient;
import io.bootcluster.server.ListenerInspector;
import io.bootcluster.server.TomcatPortSharing;
import io.bootcluster.worker.ListeningReporter;
import io.bootcluster.worker.RequestCountingFilter;
import io.bootcluster.worker.WorkerRuntime;
import jakarta.servlet.Filter;
import org.apache.catalina.startup.Tomcat;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link AutoConfiguration Auto-configuration} of a worker: its web server shares the
 * port, and the master learns when it listens. Only a JVM started by a master has the
 * {@link WorkerRuntime} this depends on; elsewhere nothing here exists.
 */
@AutoConfiguration
@ConditionalOnBean(WorkerRuntime.class)
@EnableConfigurationProperties(ClusterProperties.class)
public final class ClusterWorkerAutoConfiguration {

	@Bean
	MasterClient clusterMasterClient(WorkerRuntime runtime) {
		return new MasterClient(runtime);
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
		ListeningReporter clusterListeningReporter(WorkerRuntime runtime,
				ObjectProvider<ListenerInspector> inspectors) {
			return new ListeningReporter(runtime, inspectors.orderedStream().toList());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Tomcat.class, TomcatWebServerFactory.class })
	static class TomcatConfiguration {

		@Bean
		TomcatPortSharing clusterTomcatPortSharing() {
			return new TomcatPortSharing();
		}

	}

}
