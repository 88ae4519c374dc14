package io.bootcluster.autoconfigure;

import io.bootcluster.worker.WorkerRuntime;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test of an application configured as a cluster runs the application itself, in the
 * test's JVM, as if the starter were absent.
 */
@SpringBootTest(properties = { "cluster.workers=2", "spring.main.web-application-type=none" })
class ClusterInertTests {

	@Autowired
	private ApplicationContext context;

	@Test
	void applicationRunsAsASingleProcessInsideATest() {
		assertThat(this.context.getBean(Marker.class)).isNotNull();
		assertThat(this.context.getBeansOfType(WorkerRuntime.class)).isEmpty();
		assertThat(this.context.getBeansOfType(ClusterProperties.class)).isEmpty();
		assertThat(ProcessHandle.current().children()).isEmpty();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Marker {

	}

}
