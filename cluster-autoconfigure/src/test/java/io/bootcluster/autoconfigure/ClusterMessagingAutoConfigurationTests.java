package io.bootcluster.autoconfigure;

import java.time.Duration;

import io.bootcluster.ClusterMessenger;
import io.bootcluster.ClusterMessagingException;
import io.bootcluster.messaging.ChannelMessenger;
import io.bootcluster.messaging.StandaloneMessenger;
import io.bootcluster.worker.WorkerRuntime;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.Mockito.mock;

class ClusterMessagingAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(ClusterWorkerAutoConfiguration.class, ClusterMessagingAutoConfiguration.class));

	@Test
	void outsideAClusterTheMessengerReachesNobodyButDoesNotFailTheApplication() {
		this.runner.run((context) -> {
			ClusterMessenger messenger = context.getBean(ClusterMessenger.class);
			assertThat(messenger).isInstanceOf(StandaloneMessenger.class);
			assertThat(messenger.id()).isEqualTo(ClusterMessenger.MASTER);
			assertThat(messenger.workers()).isEmpty();
			messenger.broadcast("cache.clear", "all");
			assertThatExceptionOfType(ClusterMessagingException.class)
				.isThrownBy(() -> messenger.send(2, "cache.clear", "all"))
				.withMessageContaining("worker 2")
				.withMessageContaining("runs without a cluster");
			assertThat(messenger.request(ClusterMessenger.MASTER, "stats", "", String.class, Duration.ofSeconds(1)))
				.failsWithin(Duration.ZERO)
				.withThrowableThat()
				.withCauseInstanceOf(ClusterMessagingException.class)
				.withMessageContaining("the master");
		});
	}

	@Test
	void inAWorkerTheMessengerUsesTheChannel() {
		this.runner.withBean(WorkerRuntime.class, () -> mock(WorkerRuntime.class))
			.run((context) -> assertThat(context).getBean(ClusterMessenger.class).isInstanceOf(ChannelMessenger.class));
	}

	@Test
	void anApplicationsOwnMessengerIsKept() {
		ClusterMessenger own = new StandaloneMessenger();
		this.runner.withBean(ClusterMessenger.class, () -> own)
			.run((context) -> assertThat(context).getBean(ClusterMessenger.class).isSameAs(own));
	}

}
