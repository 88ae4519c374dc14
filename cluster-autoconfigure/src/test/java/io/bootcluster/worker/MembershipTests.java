package io.bootcluster.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import io.bootcluster.test.Processes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MembershipTests {

	private final Membership membership = new Membership();

	@Test
	void aSubscriberLearnsTheMembersAtOnceAndThenEachAnnouncement() {
		AtomicReference<List<Integer>> learned = new AtomicReference<>();
		this.membership.announced(List.of(1, 2));
		this.membership.subscribe(learned::set);
		assertThat(learned.get()).containsExactly(1, 2);
		this.membership.announced(List.of(2, 3));
		assertThat(learned.get()).containsExactly(2, 3);
	}

	@Test
	void anAnnouncementWhileASubscriberIsBeingToldIsNotMissed() throws InterruptedException {
		this.membership.announced(List.of(1, 2));
		CountDownLatch subscribing = new CountDownLatch(1);
		AtomicReference<List<Integer>> learned = new AtomicReference<>();
		Thread reader = new Thread(() -> {
			awaitQuietly(subscribing);
			this.membership.announced(List.of(1, 2, 3));
		});
		reader.start();
		// The subscriber takes its time with the first list it is told; the channel's
		// reader announces a newer one meanwhile
		this.membership.subscribe((members) -> {
			if (learned.get() == null) {
				subscribing.countDown();
				Processes.sleep(Duration.ofMillis(200));
			}
			learned.set(members);
		});
		reader.join(10_000);
		assertThat(learned.get()).containsExactly(1, 2, 3);
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
