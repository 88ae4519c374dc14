package io.bootcluster.master;

import java.util.List;

import io.bootcluster.WorkerLeaderEvent;
import io.bootcluster.internal.ipc.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which worker leads, driven through the supervisor as workers and time drive it: never two
 * at once.
 */
class LeadershipTests {

	private SupervisorHarness cluster;

	@AfterEach
	void close() throws Exception {
		this.cluster.close();
	}

	@Test
	void oldestServingWorkerLeadsAndEveryWorkerIsTold() throws Exception {
		start(2, 1);
		this.cluster.serve(1, 2);
		this.cluster.join(3);
		this.cluster.send(3, new Message.StandbyReady(3));
		assertThat(leader()).isEqualTo(1);
		assertThat(this.cluster.sent(1)).contains(new Message.Leader(1));
		assertThat(this.cluster.sent(2)).contains(new Message.Leader(1));
		// One that joins later is told too; a standby never leads
		assertThat(this.cluster.sent(3)).contains(new Message.Leader(1));
		assertThat(this.cluster.status().workers()).filteredOn((worker) -> worker.leader())
			.extracting((worker) -> worker.id())
			.containsExactly(1);
		assertThat(this.cluster.events).filteredOn(WorkerLeaderEvent.class::isInstance).hasSize(1);
	}

	@Test
	void leaderThatDiesIsSucceededAtOnce() throws Exception {
		start(2, 0);
		this.cluster.serve(1, 2);
		this.cluster.worker(1).exit(137);
		assertThat(leader()).isEqualTo(2);
		assertThat(this.cluster.sent(2)).containsSubsequence(new Message.Leader(1), new Message.Leader(0),
				new Message.Leader(2));
	}

	@Test
	void leaderAskedToGoLeadsNoMoreAndNoOtherLeadsUntilItReleased() throws Exception {
		start(2, 0);
		this.cluster.serve(1, 2);
		this.cluster.stopWorker(1);
		assertThat(leader()).isNull();
		assertThat(this.cluster.sent(2)).endsWith(new Message.Leader(0));
		this.cluster.send(1, new Message.LeadershipReleased());
		assertThat(leader()).isEqualTo(2);
	}

	@Test
	void leaderWhoseChannelClosedIsSucceededOnlyOnceItsProcessIsGone() throws Exception {
		start(2, 0);
		this.cluster.serve(1, 2);
		this.cluster.close(1);
		assertThat(leader()).isNull();
		this.cluster.worker(1).exit(1);
		assertThat(leader()).isEqualTo(2);
	}

	@Test
	void hungLeaderIsSucceededOnceKilled() throws Exception {
		start(2, 0);
		this.cluster.serve(1, 2);
		this.cluster.silence(1);
		this.cluster.advance(SupervisorHarness.HEARTBEAT_TIMEOUT.plusSeconds(1));
		assertThat(leader()).as("the hung leader, still alive").isEqualTo(1);
		this.cluster.advance(HeartbeatWatch.TIME_TO_PRINT);
		assertThat(this.cluster.worker(1).killed).isTrue();
		assertThat(leader()).isEqualTo(2);
	}

	@Test
	void rollingRestartNeverHasTwoLeaders() throws Exception {
		start(2, 0);
		this.cluster.serve(1, 2);
		this.cluster.call(this.cluster.supervisor::restart);
		this.cluster.serve(3);
		// Worker 1 is asked to go once its successor serves: it leads no more
		assertThat(leader()).isNull();
		this.cluster.send(1, new Message.LeadershipReleased());
		assertThat(leader()).isEqualTo(2);
		this.cluster.worker(1).exit(0);
		this.cluster.serve(4);
		assertThat(leader()).isNull();
		this.cluster.send(2, new Message.LeadershipReleased());
		assertThat(leader()).isEqualTo(3);
		List<Integer> granted = this.cluster.events.stream()
			.filter((event) -> event instanceof WorkerLeaderEvent leader && leader.isLeader())
			.map((event) -> ((WorkerLeaderEvent) event).getWorker().id())
			.toList();
		assertThat(granted).containsExactly(1, 2, 3);
	}

	private void start(int workers, int standbys) throws Exception {
		this.cluster = new SupervisorHarness(workers, standbys, 10, 2 * workers);
	}

	private Integer leader() {
		return this.cluster.status().leader();
	}

}
