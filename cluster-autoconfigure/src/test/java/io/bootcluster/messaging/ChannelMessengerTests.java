package io.bootcluster.messaging;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.bootcluster.ClusterMessageEvent;
import io.bootcluster.ClusterMessagingException;
import io.bootcluster.internal.ipc.AttachedPool;
import io.bootcluster.internal.ipc.DaemonThreads;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import io.bootcluster.internal.ipc.ReadLoop;
import io.bootcluster.internal.ipc.TestConnections;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.IntNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ChannelMessengerTests {

	private final List<Message> sent = new CopyOnWriteArrayList<>();

	@Test
	void messagesReadByAReadLoopArePublishedOnItsThreadOneAtATimeInOrder() throws Exception {
		List<Integer> seen = new CopyOnWriteArrayList<>();
		List<String> threads = new CopyOnWriteArrayList<>();
		AtomicInteger publishing = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		ChannelMessenger messenger = new ChannelMessenger(0, this.sent::add, (event) -> {
			if (publishing.incrementAndGet() > 1) {
				overlaps.incrementAndGet();
			}
			int n = ((ClusterMessageEvent) event).getPayload(Integer.class);
			threads.add(Thread.currentThread().getName());
			if (n == 1) {
				// Long enough for the reading to move to another thread, whose messages wait
				sleepQuietly(100);
			}
			seen.add(n);
			publishing.decrementAndGet();
		});
		CountDownLatch ended = new CountDownLatch(1);
		try (TestConnections.Pair pair = TestConnections.pair(new FrameCodec(1024))) {
			ReadLoop loop = new ReadLoop(pair.master(), "the test",
					(message) -> messenger.deliver((Message.UserMessage) message), (failure) -> ended.countDown());
			DaemonThreads.start("test-reader", loop::run);
			for (int i = 1; i <= 500; i++) {
				pair.worker().send(new Message.UserMessage("n", IntNode.valueOf(i), 3, 0, 0));
			}
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (seen.size() < 500 && System.nanoTime() < deadline) {
				Thread.sleep(10);
			}
		}
		assertThat(seen).hasSize(500).isSorted();
		assertThat(overlaps).hasValue(0);
		assertThat(threads.get(0)).isEqualTo("test-reader");
		assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void fullQueueMakesTheMastersReaderWaitAndNothingIsLost() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		List<Integer> seen = new CopyOnWriteArrayList<>();
		ChannelMessenger messenger = new ChannelMessenger(0, this.sent::add, (event) -> {
			awaitQuietly(release);
			seen.add(((ClusterMessageEvent) event).getPayload(Integer.class));
		}, 4);
		CompletableFuture<Void> delivering = CompletableFuture.runAsync(() -> {
			for (int i = 1; i <= 20; i++) {
				messenger.deliver(new Message.UserMessage("n", IntNode.valueOf(i), 3, 0, 0));
			}
		});
		assertThatExceptionOfType(TimeoutException.class)
			.isThrownBy(() -> delivering.get(300, TimeUnit.MILLISECONDS));
		release.countDown();
		delivering.get(5, TimeUnit.SECONDS);
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (seen.size() < 20 && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		assertThat(seen).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
	}

	@Test
	void fullQueueMakesAWorkerRefuseWithTheReasonInsteadOfWaiting() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> awaitQuietly(release), 4);
		for (int i = 1; i <= 10; i++) {
			messenger.deliver(new Message.UserMessage("n", IntNode.valueOf(i), 0, 3, i));
		}
		release.countDown();
		assertThat(this.sent).filteredOn(Message.UserReply.class::isInstance)
			.extracting((reply) -> ((Message.UserReply) reply).error())
			.contains("worker 3 has more messages waiting for its listeners than it may hold");
	}

	@Test
	void listenerThatThrowsAnErrorDoesNotStopTheMessagesBehindIt() throws Exception {
		List<Integer> seen = new CopyOnWriteArrayList<>();
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> {
			int n = ((ClusterMessageEvent) event).getPayload(Integer.class);
			if (n == 1) {
				throw new StackOverflowError("deep");
			}
			seen.add(n);
		});
		messenger.deliver(new Message.UserMessage("n", IntNode.valueOf(1), 0, 3, 7));
		messenger.deliver(new Message.UserMessage("n", IntNode.valueOf(2), 0, 3, 0));
		Message.UserReply reply = awaitReply();
		assertThat(reply.requestId()).isEqualTo(7);
		assertThat(reply.error()).startsWith("A listener in worker 3 failed");
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (seen.isEmpty() && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		assertThat(seen).containsExactly(2);
	}

	@Test
	void leavingAnswersTheRequestsStillWaiting() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> awaitQuietly(release));
		messenger.deliver(new Message.UserMessage("first", IntNode.valueOf(1), 0, 3, 0));
		Thread.sleep(100);
		messenger.deliver(new Message.UserMessage("waiting", IntNode.valueOf(2), 0, 3, 8));
		messenger.refuseFurther("worker 3 is leaving the cluster");
		messenger.deliver(new Message.UserMessage("late", IntNode.valueOf(3), 0, 3, 9));
		release.countDown();
		assertThat(this.sent).filteredOn(Message.UserReply.class::isInstance)
			.extracting((reply) -> ((Message.UserReply) reply).requestId() + " " + ((Message.UserReply) reply).error())
			.containsExactly("8 worker 3 is leaving the cluster", "9 worker 3 is leaving the cluster");
	}

	@Test
	void requestIsAnsweredByTheReplyWithTheSameId() throws Exception {
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> {
		});
		CompletableFuture<Integer> answer = messenger.request(0, "sum", List.of(1, 2), Integer.class,
				Duration.ofSeconds(5));
		Message.UserMessage request = (Message.UserMessage) this.sent.get(0);
		assertThat(request.from()).isEqualTo(3);
		assertThat(request.to()).isZero();
		messenger.deliver(Message.UserReply.to(request, null, IntNode.valueOf(3)));
		assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(3);
	}

	@Test
	void askingThreadReadsTheAnswerFromTheRouteItsRequestNamed() throws Exception {
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> {
		});
		try (TestConnections.Pair route = TestConnections.pair(new FrameCodec(1024))) {
			messenger.useReplyRoutes(new AttachedPool("reply", 1, (id) -> route.worker()));
			// The master's side: answers on the route, never on the main channel
			DaemonThreads.start("test-master", () -> {
				Message.UserMessage request = awaitSent(1);
				route.master().trySend(Message.UserReply.to(request, null, IntNode.valueOf(3)));
			});
			assertThat(messenger.ask(0, "sum", List.of(1, 2), Integer.class, Duration.ofSeconds(5))).isEqualTo(3);
			Message.UserMessage request = (Message.UserMessage) this.sent.get(0);
			assertThat(request.via()).isEqualTo(1);
			assertThat(request.requestId()).isPositive();
			// The route is reused, and an error answer fails the asker with the reason
			DaemonThreads.start("test-master", () -> {
				Message.UserMessage second = awaitSent(2);
				route.master().trySend(Message.UserReply.to(second, "No listener in the master answers", null));
			});
			assertThatExceptionOfType(ClusterMessagingException.class)
				.isThrownBy(() -> messenger.ask(0, "nobody", 1, Integer.class, Duration.ofSeconds(5)))
				.withMessage("No listener in the master answers");
			assertThat(((Message.UserMessage) this.sent.get(1)).via()).isEqualTo(1);
		}
	}

	@Test
	void askUnansweredOnItsRouteTimesOutSayingWhat() throws Exception {
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> {
		});
		try (TestConnections.Pair route = TestConnections.pair(new FrameCodec(1024))) {
			messenger.useReplyRoutes(new AttachedPool("reply", 1, (id) -> route.worker()));
			assertThatExceptionOfType(ClusterMessagingException.class)
				.isThrownBy(() -> messenger.ask(0, "slow", 1, Integer.class, Duration.ofMillis(100)))
				.withMessage("No reply to 'slow' sent to the master within 100 ms");
			// A route that timed out may still get the late answer: it is closed, not reused
			assertThat(route.worker().isOpen()).isFalse();
		}
	}

	@Test
	void withoutARouteAskWaitsForTheRequestsAnswer() {
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> {
		});
		DaemonThreads.start("test-master", () -> {
			Message.UserMessage request = awaitSent(1);
			messenger.deliver(Message.UserReply.to(request, null, IntNode.valueOf(3)));
		});
		assertThat(messenger.ask(0, "sum", List.of(1, 2), Integer.class, Duration.ofSeconds(5))).isEqualTo(3);
		assertThat(((Message.UserMessage) this.sent.get(0)).via()).isZero();
		assertThatExceptionOfType(ClusterMessagingException.class)
			.isThrownBy(() -> messenger.ask(0, "slow", 1, Integer.class, Duration.ofMillis(100)))
			.withMessage("No reply to 'slow' sent to the master within 100 ms");
	}

	private Message.UserMessage awaitSent(int count) {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (this.sent.size() < count && System.nanoTime() < deadline) {
			sleepQuietly(1);
		}
		return (Message.UserMessage) this.sent.get(count - 1);
	}

	@Test
	void unansweredRequestTimesOutSayingWhat() {
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> {
		});
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> messenger.request(0, "slow", 1, Integer.class, Duration.ofMillis(100)).get())
			.withCauseInstanceOf(TimeoutException.class)
			.withMessageContaining("No reply to 'slow' sent to the master within 100 ms");
	}

	@Test
	void channelThatClosesFailsWaitingRequests() {
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> {
		});
		CompletableFuture<Integer> answer = messenger.request(0, "sum", 1, Integer.class, Duration.ofSeconds(5));
		messenger.closed("The channel to the master closed");
		assertThatExceptionOfType(ExecutionException.class).isThrownBy(answer::get)
			.withMessageContaining("The channel to the master closed");
	}

	@Test
	void requestThatNoListenerAnswersIsAnsweredWithTheReason() throws Exception {
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> {
		});
		messenger.deliver(new Message.UserMessage("unknown", IntNode.valueOf(1), 0, 3, 42));
		Message.UserReply reply = awaitReply();
		assertThat(reply.requestId()).isEqualTo(42);
		assertThat(reply.to()).isZero();
		assertThat(reply.error()).isEqualTo("No listener in worker 3 answers topic 'unknown'");
	}

	@Test
	void unwritablePayloadFailsTheSender() {
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> {
		});
		assertThatExceptionOfType(ClusterMessagingException.class)
			.isThrownBy(() -> messenger.send(0, "odd", new Unwritable()))
			.withMessageStartingWith("Payload for topic 'odd' cannot be written as JSON");
		assertThat(this.sent).isEmpty();
	}

	@Test
	void messageToAWorkerNotOnTheChannelFailsAtOnce() {
		ChannelMessenger messenger = new ChannelMessenger(3, this.sent::add, (event) -> {
		});
		messenger.members(List.of(3, 4));
		messenger.send(4, "hello", "there");
		assertThatExceptionOfType(ClusterMessagingException.class).isThrownBy(() -> messenger.send(5, "hello", 1))
			.withMessage("worker 5 is not on the cluster's channel; workers on it: [3, 4]");
		assertThatExceptionOfType(ClusterMessagingException.class).isThrownBy(() -> messenger.send(3, "hello", 1))
			.withMessage("worker 3 cannot send a message to itself");
		assertThat(this.sent).hasSize(1);
	}

	public static class Unwritable {

		public String getValue() {
			throw new IllegalStateException("no value");
		}

	}

	private Message.UserReply awaitReply() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (System.nanoTime() < deadline) {
			for (Message message : this.sent) {
				if (message instanceof Message.UserReply reply) {
					return reply;
				}
			}
			Thread.sleep(10);
		}
		throw new AssertionError("No reply sent");
	}

	private static void sleepQuietly(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
