package io.bootcluster.autoconfigure;

import io.bootcluster.server.JettyPortSharing;
import io.bootcluster.server.NettyPortSharing;
import io.bootcluster.server.TomcatPortSharing;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Server;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jetty.JettyWebServerFactory;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Port sharing for each web server on the class path, imported by the worker's context and
 * by the actuator's child context alike: each context gets instances of its own, for the
 * web server it starts.
 */
final class PortSharingConfigurations {

	private PortSharingConfigurations() {
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Tomcat.class, TomcatWebServerFactory.class })
	static class TomcatConfiguration {

		@Bean
		TomcatPortSharing clusterTomcatPortSharing() {
			return new TomcatPortSharing();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Server.class, JettyWebServerFactory.class })
	static class JettyConfiguration {

		@Bean
		JettyPortSharing clusterJettyPortSharing() {
			return new JettyPortSharing();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HttpServer.class, NettyReactiveWebServerFactory.class })
	static class NettyConfiguration {

		@Bean
		NettyPortSharing clusterNettyPortSharing() {
			return new NettyPortSharing();
		}

	}

}
