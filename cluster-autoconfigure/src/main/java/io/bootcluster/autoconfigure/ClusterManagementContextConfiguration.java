package io.bootcluster.autoconfigure;

import io.bootcluster.server.JettyPortSharing;
import io.bootcluster.server.NettyPortSharing;
import io.bootcluster.server.TomcatPortSharing;
import io.bootcluster.worker.WorkerRuntime;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Server;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jetty.JettyWebServerFactory;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * With {@code management.server.port} set, the actuator runs its own web server in a
 * child context; every worker starts one, so that port is shared like the application's.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnBean(WorkerRuntime.class)
public final class ClusterManagementContextConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Tomcat.class, TomcatWebServerFactory.class })
	static class TomcatConfiguration {

		@Bean
		TomcatPortSharing clusterManagementTomcatPortSharing() {
			return new TomcatPortSharing();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HttpServer.class, NettyReactiveWebServerFactory.class })
	static class NettyConfiguration {

		@Bean
		NettyPortSharing clusterManagementNettyPortSharing() {
			return new NettyPortSharing();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Server.class, JettyWebServerFactory.class })
	static class JettyConfiguration {

		@Bean
		JettyPortSharing clusterManagementJettyPortSharing() {
			return new JettyPortSharing();
		}

	}

}
