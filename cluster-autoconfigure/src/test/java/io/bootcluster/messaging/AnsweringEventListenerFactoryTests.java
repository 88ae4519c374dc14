package io.bootcluster.messaging;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.bootcluster.ClusterMessageEvent;
import io.bootcluster.internal.ipc.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.node.StringNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @EventListener} methods that take cluster messages, in a real application
 * context, behind a real messenger.
 */
@ExtendWith(OutputCaptureExtension.class)
class AnsweringEventListenerFactoryTests {

	private final List<Message> sent = new CopyOnWriteArrayList<>();

	@Test
	void returnValueAnswersARequest() throws Exception {
		assertThat(answerTo("upper", "abc").payload().asString()).isEqualTo("ABC");
	}

	@Test
	void completionStageAnswersARequestWhenItCompletes() throws Exception {
		assertThat(answerTo("later", "x").payload().asString()).isEqualTo("x later");
	}

	@Test
	void returnValueOfAPlainMessageIsPublishedAsSpringWould() throws Exception {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Listeners.class)) {
			ChannelMessenger messenger = new ChannelMessenger(2, this.sent::add, context::publishEvent);
			messenger.deliver(new Message.UserMessage("upper", StringNode.valueOf("abc"), 0, 2, 0));
			Listeners listeners = context.getBean(Listeners.class);
			awaitTrue(() -> listeners.published.contains("ABC"));
			assertThat(this.sent).isEmpty();
		}
	}

	@Test
	void messageNoListenerTakesIsLogged(CapturedOutput output) throws Exception {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Listeners.class)) {
			ChannelMessenger messenger = new ChannelMessenger(2, this.sent::add, context::publishEvent);
			messenger.deliver(new Message.UserMessage("nobody", StringNode.valueOf("?"), 0, 2, 0));
			awaitTrue(() -> output.getOut().contains("No @EventListener took ClusterMessageEvent[topic=nobody"));
			messenger.deliver(new Message.UserMessage("upper", StringNode.valueOf("abc"), 0, 2, 0));
			awaitTrue(() -> context.getBean(Listeners.class).published.contains("ABC"));
			assertThat(output.getOut()).doesNotContain("No @EventListener took ClusterMessageEvent[topic=upper");
		}
	}

	private Message.UserReply answerTo(String topic, String payload) throws Exception {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Listeners.class)) {
			ChannelMessenger messenger = new ChannelMessenger(2, this.sent::add, context::publishEvent);
			messenger.deliver(new Message.UserMessage(topic, StringNode.valueOf(payload), 0, 2, 9));
			awaitTrue(() -> !this.sent.isEmpty());
			Message.UserReply reply = (Message.UserReply) this.sent.get(0);
			assertThat(reply.requestId()).isEqualTo(9);
			assertThat(reply.error()).isNull();
			return reply;
		}
	}

	private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Condition not met within 5s");
			}
			Thread.sleep(10);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Listeners {

		final List<String> published = new CopyOnWriteArrayList<>();

		@Bean
		static AnsweringEventListenerFactory answeringEventListenerFactory() {
			return new AnsweringEventListenerFactory();
		}

		@EventListener(condition = "#root.event.topic == 'upper'")
		String upper(ClusterMessageEvent event) {
			return event.getPayload(String.class).toUpperCase();
		}

		@EventListener(condition = "#root.event.topic == 'later'")
		CompletableFuture<String> later(ClusterMessageEvent event) {
			return CompletableFuture.supplyAsync(() -> event.getPayload(String.class) + " later");
		}

		@EventListener
		void published(String text) {
			this.published.add(text);
		}

	}

}
