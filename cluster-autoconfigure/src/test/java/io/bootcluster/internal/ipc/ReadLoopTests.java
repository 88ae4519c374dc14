package io.bootcluster.internal.ipc;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connection's reading, handed to another thread while slow work runs on the reader,
 * on a real Unix domain socket.
 */
class ReadLoopTests {

	private final FrameCodec codec = new FrameCodec(1024);

	private Connection sender;

	private Connection receiver;

	private TestConnections.Pair pair;

	@BeforeEach
	void connect() throws IOException {
		this.pair = TestConnections.pair(this.codec);
		this.sender = this.pair.worker();
		this.receiver = this.pair.master();
	}

	@AfterEach
	void close() {
		this.pair.close();
	}

	@Test
	void workThatWaitsForTheNextMessageGetsItFromTheThreadThatReadsOn() throws Exception {
		CountDownLatch secondRead = new CountDownLatch(1);
		List<String> handled = new CopyOnWriteArrayList<>();
		Set<Thread> readers = ConcurrentHashMap.newKeySet();
		CountDownLatch ended = new CountDownLatch(1);
		ReadLoop loop = new ReadLoop(this.receiver, "the test", (message) -> {
			readers.add(Thread.currentThread());
			String reason = ((Message.Disconnect) message).reason();
			handled.add(reason);
			if (reason.equals("first")) {
				// As a listener that asks its sender and waits for the answer
				assertThat(ReadLoop.stepAside(() -> awaitQuietly(secondRead))).isTrue();
			}
			else {
				secondRead.countDown();
			}
		}, (failure) -> ended.countDown());
		CompletableFuture<Void> reading = CompletableFuture.runAsync(loop::run);
		this.sender.send(new Message.Disconnect("first"));
		this.sender.send(new Message.Disconnect("second"));
		assertThat(secondRead.await(5, TimeUnit.SECONDS)).isTrue();
		reading.get(5, TimeUnit.SECONDS);
		assertThat(ended.getCount()).as("the first thread ended without reporting the end").isOne();
		this.sender.send(new Message.Disconnect("third"));
		this.sender.close();
		assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(handled).containsExactly("first", "second", "third");
		assertThat(readers).hasSize(2);
	}

	@Test
	void quickWorkKeepsTheReadingOnItsThreadAndTheOrder() throws Exception {
		List<Integer> handled = new CopyOnWriteArrayList<>();
		Set<Thread> readers = ConcurrentHashMap.newKeySet();
		AtomicInteger ends = new AtomicInteger();
		CountDownLatch ended = new CountDownLatch(1);
		ReadLoop loop = new ReadLoop(this.receiver, "the test", (message) -> {
			readers.add(Thread.currentThread());
			ReadLoop.stepAside(() -> handled.add(((Message.Leader) message).worker()));
		}, (failure) -> {
			ends.incrementAndGet();
			ended.countDown();
		});
		CompletableFuture.runAsync(loop::run);
		for (int i = 1; i <= 1000; i++) {
			this.sender.send(new Message.Leader(i));
		}
		this.sender.close();
		assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(handled).hasSize(1000).isSorted();
		assertThat(readers).hasSize(1);
		assertThat(ends).hasValue(1);
	}

	@Test
	void workOffAReadingThreadDoesNotRun() {
		assertThat(ReadLoop.isReading()).isFalse();
		assertThat(ReadLoop.stepAside(() -> {
			throw new IllegalStateException("ran");
		})).isFalse();
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
