package io.bootcluster.autoconfigure;

import io.bootcluster.ClusterLeadership;
import io.bootcluster.worker.TestWorkerRuntimes;
import io.bootcluster.worker.WorkerRuntime;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterSchedulingAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ClusterSchedulingAutoConfiguration.class));

	@Test
	void outsideAClusterTheOneProcessLeadsAndSchedulingIsLeftAlone() {
		this.runner.run((context) -> {
			assertThat(context.getBean(ClusterLeadership.class).isLeader()).isTrue();
			assertThat(context.getBean(ClusterLeadership.class).leader()).isEmpty();
			assertThat(context).doesNotHaveBean(SchedulingConfigurer.class);
		});
	}

	@Test
	void inAWorkerScheduledMethodsRunOnTheLeaderByDefault() {
		WorkerRuntime runtime = TestWorkerRuntimes.unjoined(2);
		this.runner.withBean(WorkerRuntime.class, () -> runtime).run((context) -> {
			assertThat(context.getBean(ClusterLeadership.class)).isSameAs(runtime.leadership());
			assertThat(context.getBean(ClusterLeadership.class).isLeader()).isFalse();
			assertThat(context).hasSingleBean(SchedulingConfigurer.class);
		});
	}

	@Test
	void inAWorkerScheduledMethodsCanRunEverywhere() {
		this.runner.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(2))
			.withPropertyValues("cluster.scheduling.run-on=every-worker")
			.run((context) -> assertThat(context).doesNotHaveBean(SchedulingConfigurer.class));
	}

	@Test
	void anApplicationsOwnLeadershipIsKept() {
		ClusterLeadership own = new ClusterSchedulingAutoConfiguration.SingleProcessLeadership();
		this.runner.withBean(ClusterLeadership.class, () -> own)
			.run((context) -> assertThat(context.getBean(ClusterLeadership.class)).isSameAs(own));
	}

}
