package io.bootcluster.internal.ipc;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ActiveTimeoutTests {

	@Test
	void firesOnceTheProcessHasRunForTheTimeout() throws InterruptedException {
		CountDownLatch fired = new CountDownLatch(1);
		long started = System.nanoTime();
		ActiveTimeout.start(Duration.ofMillis(300), fired::countDown);
		assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void cancelledTimeoutNeverFires() throws InterruptedException {
		CountDownLatch fired = new CountDownLatch(1);
		ActiveTimeout.start(Duration.ofMillis(200), fired::countDown).cancel();
		assertThat(fired.await(600, TimeUnit.MILLISECONDS)).isFalse();
	}

}
