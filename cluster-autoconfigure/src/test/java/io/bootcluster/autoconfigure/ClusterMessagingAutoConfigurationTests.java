package io.bootcluster.autoconfigure;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.bootcluster.ClusterMessageEvent;
import io.bootcluster.ClusterMessenger;
import io.bootcluster.ClusterMessagingException;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.messaging.ChannelMessenger;
import io.bootcluster.messaging.StandaloneMessenger;
import io.bootcluster.worker.TestWorkerRuntimes;
import io.bootcluster.worker.WorkerRuntime;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

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
		this.runner.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(2))
			.run((context) -> assertThat(context).getBean(ClusterMessenger.class).isInstanceOf(ChannelMessenger.class));
	}

	@Test
	void inAWorkerPayloadsAreReadWithTheApplicationsJsonMapper() {
		this.runner.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
			.withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE")
			.withBean(WorkerRuntime.class, () -> TestWorkerRuntimes.unjoined(2))
			.withUserConfiguration(Received.class)
			.run((context) -> {
				ChannelMessenger messenger = (ChannelMessenger) context.getBean(ClusterMessenger.class);
				messenger.deliver(new Message.UserMessage("greet",
						FrameCodec.mapper().createObjectNode().put("first_name", "Ada"), 1, 2, 0));
				Received received = context.getBean(Received.class);
				assertThat(received.people.poll(10, TimeUnit.SECONDS)).isEqualTo(new Person("Ada"));
			});
	}

	record Person(String firstName) {
	}

	static class Received {

		final BlockingQueue<Person> people = new LinkedBlockingQueue<>();

		@EventListener
		void on(ClusterMessageEvent event) {
			this.people.add(event.getPayload(Person.class));
		}

	}

	@Test
	void anApplicationsOwnMessengerIsKept() {
		ClusterMessenger own = new StandaloneMessenger();
		this.runner.withBean(ClusterMessenger.class, () -> own)
			.run((context) -> assertThat(context).getBean(ClusterMessenger.class).isSameAs(own));
	}

}
