package io.bootcluster.autoconfigure;

import io.bootcluster.server.JettyPortSharing;
import io.bootcluster.server.NettyPortSharing;
import io.bootcluster.server.TomcatPortSharing;
import io.bootcluster.worker.SharedPortLifecycle;
import io.bootcluster.worker.ReadinessReporter;
import io.bootcluster.worker.RequestCountingFilter;
import io.bootcluster.worker.RequestCountingWebFilter;
import io.bootcluster.worker.TestWorkerRuntimes;
import io.bootcluster.worker.WorkerRuntime;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Server;
import reactor.netty.http.server.HttpServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterWorkerAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ClusterWorkerAutoConfiguration.class));

	@Test
	void outsideAWorkerNothingIsConfigured() {
		this.runner.withPropertyValues("cluster.workers=2").run((context) -> {
			assertThat(context).doesNotHaveBean(ClusterProperties.class);
			assertThat(context).doesNotHaveBean(SharedPortLifecycle.class);
			assertThat(context).doesNotHaveBean(TomcatPortSharing.class);
		});
	}

	@Test
	void inAWorkerTheServerSharesThePortAndReportsListening() {
		this.runner.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(1)).run((context) -> {
			assertThat(context).hasSingleBean(ClusterProperties.class);
			assertThat(context).hasSingleBean(SharedPortLifecycle.class);
			assertThat(context).hasSingleBean(TomcatPortSharing.class);
			assertThat(context).hasSingleBean(JettyPortSharing.class);
			assertThat(context).hasSingleBean(NettyPortSharing.class);
			assertThat(context).hasSingleBean(ReadinessReporter.class);
			assertThat(context).hasSingleBean(RequestCountingFilter.class);
		});
	}

	@Test
	void withoutTomcatNoTomcatCustomizer() {
		this.runner.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(1))
			.withClassLoader(new FilteredClassLoader(Tomcat.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(SharedPortLifecycle.class);
				assertThat(context).doesNotHaveBean(TomcatPortSharing.class);
			});
	}

	@Test
	void reactiveWorkersCountRequestsWithAWebFilter() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ClusterWorkerAutoConfiguration.class))
			.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(1))
			.run((context) -> {
				assertThat(context).hasSingleBean(RequestCountingWebFilter.class);
				assertThat(context).doesNotHaveBean(RequestCountingFilter.class);
			});
	}

	@Test
	void eachServerIsSupportedOnlyWhenItIsThere() {
		this.runner.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(1))
			.withClassLoader(new FilteredClassLoader(Server.class, HttpServer.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(TomcatPortSharing.class);
				assertThat(context).doesNotHaveBean(JettyPortSharing.class);
				assertThat(context).doesNotHaveBean(NettyPortSharing.class);
			});
	}

	@Test
	void withoutAWebServerModuleNothingListens() {
		this.runner.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(1))
			.withClassLoader(new FilteredClassLoader(WebServerInitializedEvent.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(ClusterProperties.class);
				assertThat(context).doesNotHaveBean(SharedPortLifecycle.class);
			});
	}

}
