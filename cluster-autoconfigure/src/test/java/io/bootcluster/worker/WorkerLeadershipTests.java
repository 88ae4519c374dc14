package io.bootcluster.worker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.bootcluster.LeadershipGrantedEvent;
import io.bootcluster.LeadershipRevokedEvent;
import org.junit.jupiter.api.Test;

import org.springframework.context.ApplicationEvent;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerLeadershipTests {

	private final CountDownLatch released = new CountDownLatch(1);

	private final WorkerLeadership leadership = new WorkerLeadership(2, this.released::countDown);

	private final List<ApplicationEvent> events = new CopyOnWriteArrayList<>();

	@Test
	void leaderTasksRunOnlyWhileThisWorkerLeads() {
		this.leadership.publishTo(this.events::add);
		List<String> ran = new CopyOnWriteArrayList<>();
		this.leadership.runAsLeader(() -> ran.add("before"));
		this.leadership.announced(2);
		this.leadership.runAsLeader(() -> ran.add("leading"));
		this.leadership.announced(3);
		this.leadership.runAsLeader(() -> ran.add("after"));
		assertThat(ran).containsExactly("leading");
		assertThat(this.leadership.leader()).hasValue(3);
	}

	@Test
	void releaseWaitsForTheRunningTaskAndFollowsTheRevokedEvent() throws Exception {
		this.leadership.publishTo(this.events::add);
		this.leadership.announced(2);
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		Thread task = new Thread(() -> this.leadership.runAsLeader(() -> {
			started.countDown();
			await(finish);
		}));
		task.start();
		assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
		this.leadership.announced(0);
		assertThat(this.released.await(300, TimeUnit.MILLISECONDS)).as("released while a task runs").isFalse();
		finish.countDown();
		assertThat(this.released.await(5, TimeUnit.SECONDS)).isTrue();
		assertThat(this.events).hasExactlyElementsOfTypes(LeadershipGrantedEvent.class, LeadershipRevokedEvent.class);
	}

	@Test
	void workerThatLosesItsMasterLeadsNoMoreAtOnce() {
		this.leadership.announced(2);
		this.leadership.dropped();
		assertThat(this.leadership.isLeader()).isFalse();
		assertThat(this.leadership.leader()).isEmpty();
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
