package io.bootcluster.internal.ipc;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Both ends of a connection on a real Unix domain socket: the worker's, which gathers
 * bursts, and the master's, which never waits on its peer.
 */
class ConnectionTests {

	private final FrameCodec codec = new FrameCodec(4096);

	private TestConnections.Pair pair;

	@BeforeEach
	void connect() throws Exception {
		this.pair = TestConnections.pair(this.codec);
		this.pair.worker().gatherBursts();
	}

	@AfterEach
	void close() {
		this.pair.close();
	}

	@Test
	void burstFromSeveralThreadsArrivesWholeAndInOrderPerThread() throws Exception {
		int perThread = 20_000;
		CompletableFuture<?>[] senders = new CompletableFuture<?>[3];
		for (int t = 0; t < senders.length; t++) {
			int thread = t;
			senders[t] = CompletableFuture.runAsync(() -> {
				for (int i = 0; i < perThread; i++) {
					this.pair.worker().trySend(new Message.Heartbeat(thread, i, 0, 0));
				}
			});
		}
		long[] next = new long[senders.length];
		for (int i = 0; i < perThread * senders.length; i++) {
			Message.Heartbeat heartbeat = (Message.Heartbeat) this.pair.master().receive();
			int thread = (int) heartbeat.heapUsed();
			assertThat(heartbeat.heapMax()).isEqualTo(next[thread]++);
		}
		CompletableFuture.allOf(senders).get(10, TimeUnit.SECONDS);
		assertThat(next).containsOnly(perThread);
		assertThat(this.codec.framesWritten()).isEqualTo(perThread * senders.length);
	}

	@Test
	void burstSenderWaitsOnceItsBudgetIsQueuedAndNobodyReads() throws Exception {
		String kilobyte = "x".repeat(1000);
		int frames = 2_000;
		CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
			for (int i = 0; i < frames; i++) {
				this.pair.worker().trySend(new Message.Disconnect(kilobyte));
			}
		});
		// Two megabytes: more than the socket and the burst's budget hold
		assertThatExceptionOfType(TimeoutException.class).isThrownBy(() -> sending.get(500, TimeUnit.MILLISECONDS));
		for (int i = 0; i < frames; i++) {
			assertThat(this.pair.master().receive()).isEqualTo(new Message.Disconnect(kilobyte));
		}
		sending.get(10, TimeUnit.SECONDS);
	}

	@Test
	void frameLargerThanTheReadBufferThenSmallOnesArriveWhole() throws Exception {
		try (TestConnections.Pair large = TestConnections.pair(new FrameCodec(FrameCodec.DEFAULT_MAX_FRAME_SIZE))) {
			String reason = "x".repeat(200_000);
			CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
				large.worker().trySend(new Message.Disconnect(reason));
				large.worker().trySend(new Message.Ready(true));
				large.worker().trySend(new Message.Ready(false));
			});
			assertThat(large.master().receive()).isEqualTo(new Message.Disconnect(reason));
			assertThat(large.master().receive()).isEqualTo(new Message.Ready(true));
			assertThat(large.master().receive()).isEqualTo(new Message.Ready(false));
			sending.get(10, TimeUnit.SECONDS);
		}
	}

}
