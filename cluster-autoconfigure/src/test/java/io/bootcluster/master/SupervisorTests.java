package io.bootcluster.master;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import io.bootcluster.ClusterStatus;
import io.bootcluster.WorkerExitEvent;
import io.bootcluster.WorkerForkEvent;
import io.bootcluster.WorkerOnlineEvent;
import io.bootcluster.internal.ipc.FrameCodec;
import io.bootcluster.internal.ipc.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

import static io.bootcluster.master.SupervisorHarness.HEARTBEAT_TIMEOUT;
import static io.bootcluster.master.SupervisorHarness.INITIAL_BACKOFF;
import static io.bootcluster.master.SupervisorHarness.SHUTDOWN_TIMEOUT;
import static io.bootcluster.master.SupervisorHarness.STARTUP_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The supervisor's decisions, driven the way workers and time drive them: fake workers,
 * real channel connections, and a clock that moves only when the test says.
 */
class SupervisorTests {

	private SupervisorHarness cluster;

	@AfterEach
	void close() throws Exception {
		if (this.cluster != null) {
			this.cluster.close();
		}
	}

	@Test
	void startsEveryWorkerAndServesOnceEachListensAndIsReady() throws Exception {
		start(2, 0, 10);
		assertThat(this.cluster.workers.count()).isEqualTo(2);
		this.cluster.serve(1, 2);
		assertThat(this.cluster.status().workers()).extracting(ClusterStatus.Worker::state)
			.containsExactly("listening", "listening");
		assertThat(this.cluster.supervisor.awaitAllServed(Duration.ZERO)).isTrue();
		assertThat(this.cluster.events).first().isInstanceOf(WorkerForkEvent.class);
		assertThat(this.cluster.events).filteredOn(WorkerOnlineEvent.class::isInstance).hasSize(2);
	}

	@Test
	void aWorkerCompilesAheadOfItsRequestsOnlyOnceItServes() throws Exception {
		start(1, 0, 10);
		assertThat(this.cluster.join(1)).isTrue();
		this.cluster.send(1, new Message.Listening("0.0.0.0", 8080, true));
		assertThat(this.cluster.worker(1).compilersFavoured).as("listening, not ready yet").isZero();
		this.cluster.send(1, new Message.Ready(true));
		assertThat(this.cluster.worker(1).compilersFavoured).isOne();
	}

	@Test
	void twoCoresStartOneWorkerAtATime() throws Exception {
		this.cluster = new SupervisorHarness(3, 0, 10, 2);
		assertThat(this.cluster.workers.count()).isEqualTo(1);
		this.cluster.serve(1);
		assertThat(this.cluster.workers.count()).isEqualTo(2);
		// A start that fails makes room for the next too
		this.cluster.worker(2).exit(1);
		assertThat(this.cluster.workers.count()).isEqualTo(3);
	}

	@Test
	void crashLoopBacksOffThenGivesTheSlotUp() throws Exception {
		start(2, 0, 3);
		this.cluster.serve(2);
		this.cluster.worker(1).exit(1);
		// First crash: replaced after the initial backoff, not before
		this.cluster.advance(INITIAL_BACKOFF.minusMillis(1));
		assertThat(this.cluster.workers.launched(3)).isFalse();
		this.cluster.advance(Duration.ofMillis(1));
		assertThat(this.cluster.workers.launched(3)).isTrue();
		this.cluster.worker(3).exit(1);
		// Second crash in a row: the backoff doubles
		this.cluster.advance(INITIAL_BACKOFF.multipliedBy(2).minusMillis(1));
		assertThat(this.cluster.workers.launched(4)).isFalse();
		this.cluster.advance(Duration.ofMillis(1));
		this.cluster.worker(4).exit(1);
		// Third: the slot gives up; the other worker serves on and the master stays
		this.cluster.advance(Duration.ofMinutes(1));
		assertThat(this.cluster.workers.count()).isEqualTo(4);
		ClusterStatus status = this.cluster.status();
		assertThat(status.workers()).extracting(ClusterStatus.Worker::id).containsExactly(2);
		assertThat(status.restarts()).isEqualTo(3);
		assertThat(this.cluster.supervisor.awaitAllServed(Duration.ZERO)).isFalse();
		// The last slot gives up too, its worker having crashed after a stable run first:
		// nothing is left, and the master exits with 1
		this.cluster.worker(2).exit(1);
		this.cluster.advance(INITIAL_BACKOFF);
		this.cluster.worker(5).exit(1);
		this.cluster.advance(INITIAL_BACKOFF.multipliedBy(2));
		this.cluster.worker(6).exit(1);
		assertThat(this.cluster.workers.count()).isEqualTo(6);
		assertThat(this.cluster.supervisor.awaitTermination()).isEqualTo(1);
	}

	@Test
	void failedLaunchesAreTriedAgainAndNeverGiveTheSlotUp() throws Exception {
		start(1, 0, 2);
		this.cluster.serve(1);
		this.cluster.workers.failNext(5);
		this.cluster.worker(1).exit(1);
		// The crash's backoff, then five launches that fail (workers 2 to 6), each retried
		// later than the one before: a shortage of the master's is not the application's
		// crash, and the slot allows only two of those
		this.cluster.advance(INITIAL_BACKOFF);
		Duration retries = Duration.ZERO;
		for (int failure = 1; failure <= 5; failure++) {
			retries = retries.plus(Slots.FIRST_LAUNCH_RETRY.multipliedBy(1L << (failure - 1)));
		}
		this.cluster.advance(retries.minusMillis(1));
		assertThat(this.cluster.workers.launched(7)).isFalse();
		this.cluster.advance(Duration.ofMillis(1));
		assertThat(this.cluster.workers.launched(7)).isTrue();
		assertThat(this.cluster.status().restarts()).isEqualTo(1);
	}

	@Test
	void replacementThatCannotBeLaunchedLeavesItsWorkerServing() throws Exception {
		start(1, 0, 10);
		this.cluster.serve(1);
		this.cluster.workers.failNext(1);
		this.cluster.send(1, new Message.ReplaceMe("heap is nearly full"));
		this.cluster.advance(Duration.ofMinutes(1));
		assertThat(this.cluster.workers.count()).isEqualTo(1);
		assertThat(this.cluster.wasSent(1, Message.Disconnect.class)).isFalse();
	}

	@Test
	void workerThatExitsDuringItsHandshakeIsReplacedAndCannotJoinAfterwards() throws Exception {
		start(1, 0, 10);
		this.cluster.worker(1).exit(1);
		assertThat(this.cluster.join(1)).isFalse();
		this.cluster.advance(INITIAL_BACKOFF);
		assertThat(this.cluster.join(2)).isTrue();
		// A worker joins once only
		assertThat(this.cluster.join(2)).isFalse();
		assertThat(this.cluster.events).filteredOn(WorkerExitEvent.class::isInstance)
			.singleElement()
			.satisfies((event) -> assertThat(((WorkerExitEvent) event).getWorker().exitedAfterDisconnect()).isFalse());
	}

	@Test
	void standbyTakesOverAtOnceAndIsReplacedOnceItServes() throws Exception {
		start(2, 1, 10);
		this.cluster.serve(1);
		assertThat(this.cluster.workers.launched(3)).isFalse();
		this.cluster.serve(2);
		// Standbys start once the cluster serves
		assertThat(this.cluster.worker(3).standby).isTrue();
		this.cluster.join(3);
		this.cluster.send(3, new Message.StandbyReady(3));
		this.cluster.worker(1).exit(137);
		assertThat(this.cluster.wasSent(3, Message.Activate.class)).isTrue();
		// The next standby waits until the takeover is done, so as not to slow it down
		this.cluster.advance(Duration.ofSeconds(5));
		assertThat(this.cluster.workers.count()).isEqualTo(3);
		this.cluster.send(3, new Message.Listening("0.0.0.0", 8080, true));
		this.cluster.send(3, new Message.Ready(true));
		assertThat(this.cluster.worker(4).standby).isTrue();
		assertThat(this.cluster.status().workers()).filteredOn((worker) -> !worker.standby())
			.extracting(ClusterStatus.Worker::id)
			.containsExactly(2, 3);
	}

	@Test
	void standbyTakesOverWhenTheChannelClosesBeforeTheProcessIsSeenToEnd() throws Exception {
		start(2, 1, 10);
		this.cluster.serve(1, 2);
		this.cluster.join(3);
		this.cluster.send(3, new Message.StandbyReady(3));
		// A SIGKILLed worker's channel may close before its exit is reported
		this.cluster.close(1);
		assertThat(this.cluster.sent(3)).contains(new Message.Activate("a worker died", 0));
		this.cluster.worker(1).exit(137);
		this.cluster.advance(INITIAL_BACKOFF.multipliedBy(4));
		// Counted once, and no worker forked for the slot the standby took
		assertThat(this.cluster.status().restarts()).isOne();
		assertThat(this.cluster.workers.count()).isEqualTo(3);
		this.cluster.send(3, new Message.Listening("0.0.0.0", 8080, true));
		this.cluster.send(3, new Message.Ready(true));
		assertThat(this.cluster.worker(4).standby).isTrue();
	}

	@Test
	void aWorkerAskedToGoIsNotTakenOverWhenItsChannelCloses() throws Exception {
		start(2, 1, 10);
		this.cluster.serve(1, 2);
		this.cluster.join(3);
		this.cluster.send(3, new Message.StandbyReady(3));
		this.cluster.stopWorker(1);
		this.cluster.close(1);
		assertThat(this.cluster.wasSent(3, Message.Activate.class)).isFalse();
	}

	@Test
	void replacementsInheritTheirSlotAndAStandbyLearnsItsOwnWhenItTakesOver() throws Exception {
		start(2, 1, 10);
		this.cluster.serve(1, 2);
		this.cluster.join(3);
		this.cluster.send(3, new Message.StandbyReady(3));
		assertThat(List.of(this.cluster.worker(1).slot, this.cluster.worker(2).slot, this.cluster.worker(3).slot))
			.containsExactly(0, 1, -1);
		this.cluster.worker(2).exit(137);
		assertThat(this.cluster.sent(3)).contains(new Message.Activate("a worker died", 1));
		this.cluster.worker(1).exit(1);
		this.cluster.advance(INITIAL_BACKOFF);
		assertThat(this.cluster.worker(4).slot).isZero();
		assertThat(this.cluster.status().workers()).extracting(ClusterStatus.Worker::id, ClusterStatus.Worker::slot)
			.contains(tuple(3, 1), tuple(4, 0));
	}

	@Test
	void standbyThatDiesWhileTakingOverIsStillReplacedByANewStandby() throws Exception {
		start(2, 1, 10);
		this.cluster.serve(1, 2);
		this.cluster.join(3);
		this.cluster.send(3, new Message.StandbyReady(3));
		this.cluster.worker(1).exit(137);
		assertThat(this.cluster.wasSent(3, Message.Activate.class)).isTrue();
		this.cluster.worker(3).exit(137);
		// The takeover failed: a new standby at once, and a worker for the slot after the
		// backoff of a second crash in a row
		assertThat(this.cluster.worker(4).standby).isTrue();
		this.cluster.advance(INITIAL_BACKOFF.multipliedBy(2));
		assertThat(this.cluster.worker(5).standby).isFalse();
	}

	@Test
	void rollingRestartReplacesWorkersInOrderEachSuccessorServingBeforeItsPredecessorGoes() throws Exception {
		start(2, 0, 10);
		this.cluster.serve(1, 2);
		assertThat(this.cluster.call(this.cluster.supervisor::restart)).containsExactly(1, 2);
		assertThat(this.cluster.workers.count()).isEqualTo(3);
		this.cluster.join(3);
		this.cluster.send(3, new Message.Listening("0.0.0.0", 8080, true));
		assertThat(this.cluster.wasSent(1, Message.Disconnect.class)).isFalse();
		this.cluster.send(3, new Message.Ready(true));
		assertThat(this.cluster.wasSent(1, Message.Disconnect.class)).isTrue();
		// The next step waits for the predecessor to be gone
		assertThat(this.cluster.workers.launched(4)).isFalse();
		this.cluster.worker(1).exit(0);
		assertThat(this.cluster.workers.launched(4)).isTrue();
		assertThat(this.cluster.wasSent(2, Message.Disconnect.class)).isFalse();
		this.cluster.serve(4);
		assertThat(this.cluster.wasSent(2, Message.Disconnect.class)).isTrue();
		assertThat(this.cluster.status().restart().state()).isEqualTo("running");
		this.cluster.worker(2).exit(0);
		ClusterStatus status = this.cluster.status();
		assertThat(status.restart().state()).isEqualTo("done");
		assertThat(status.workers()).extracting(ClusterStatus.Worker::id).containsExactly(3, 4);
		assertThat(status.restarts()).isZero();
	}

	@Test
	void scalingOrStoppingAWorkerDuringARollingRestartIsRefused() throws Exception {
		start(2, 0, 10);
		this.cluster.serve(1, 2);
		this.cluster.call(this.cluster.supervisor::restart);
		assertThatIllegalArgumentException().isThrownBy(() -> this.cluster.call(() -> this.cluster.supervisor.scale(3)))
			.withMessage("Cannot scale: a rolling restart is running");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.cluster.call(() -> this.cluster.supervisor.restart()))
			.withMessage("Cannot restart: a rolling restart is running");
		this.cluster.serve(3);
		this.cluster.worker(1).exit(0);
		this.cluster.serve(4);
		this.cluster.worker(2).exit(0);
		assertThat(this.cluster.call(() -> this.cluster.supervisor.scale(3))).isEqualTo(2);
		assertThat(this.cluster.workers.launched(5)).isTrue();
	}

	@Test
	void restartEndsWhenTheSuccessorDiesAfterItsPredecessor() throws Exception {
		start(2, 0, 10);
		this.cluster.serve(1, 2);
		this.cluster.call(this.cluster.supervisor::restart);
		this.cluster.join(3);
		this.cluster.worker(1).exit(137);
		this.cluster.worker(3).exit(1);
		assertThat(this.cluster.status().restart().state()).isEqualTo("failed");
		// The emptied slot is refilled, and the cluster can be restarted again
		this.cluster.advance(INITIAL_BACKOFF);
		this.cluster.serve(4);
		assertThat(this.cluster.call(this.cluster.supervisor::restart)).containsExactly(2, 4);
		assertThat(this.cluster.connection(2).isOpen()).isTrue();
	}

	@Test
	void restartGoesOnWhenAPredecessorCrashesWhileItsSuccessorStarts() throws Exception {
		start(2, 0, 10);
		this.cluster.serve(1, 2);
		this.cluster.call(this.cluster.supervisor::restart);
		this.cluster.join(3);
		this.cluster.worker(1).exit(137);
		// Its successor takes the slot: no other worker is forked for it
		this.cluster.advance(Duration.ofSeconds(5));
		assertThat(this.cluster.workers.count()).isEqualTo(3);
		this.cluster.send(3, new Message.Listening("0.0.0.0", 8080, true));
		this.cluster.send(3, new Message.Ready(true));
		assertThat(this.cluster.workers.launched(4)).isTrue();
		this.cluster.serve(4);
		this.cluster.worker(2).exit(0);
		ClusterStatus status = this.cluster.status();
		assertThat(status.restart().state()).isEqualTo("done");
		assertThat(status.restarts()).isEqualTo(1);
	}

	@Test
	void stopCancelsARollingRestart() throws Exception {
		start(2, 0, 10);
		this.cluster.serve(1, 2);
		this.cluster.call(this.cluster.supervisor::restart);
		this.cluster.supervisor.stop();
		ClusterStatus.Restart restart = this.cluster.status().restart();
		assertThat(restart.state()).isEqualTo("cancelled");
		assertThat(restart.finishedAt()).isNotNull();
		// The successor that was starting is asked to go too, and nothing new starts
		assertThat(this.cluster.worker(3).terminated).isTrue();
		this.cluster.worker(3).exit(143);
		this.cluster.worker(1).exit(0);
		this.cluster.worker(2).exit(0);
		assertThat(this.cluster.workers.count()).isEqualTo(3);
		assertThat(this.cluster.supervisor.awaitTermination()).isZero();
	}

	@Test
	void replacementThatNeverServesLeavesItsPredecessorServing() throws Exception {
		start(1, 0, 10);
		this.cluster.serve(1);
		this.cluster.send(1, new Message.ReplaceMe("heap is nearly full"));
		assertThat(this.cluster.workers.launched(2)).isTrue();
		this.cluster.worker(2).exit(1);
		assertThat(this.cluster.wasSent(1, Message.Disconnect.class)).isFalse();
		// Asked again, it is replaced again
		this.cluster.send(1, new Message.ReplaceMe("heap is nearly full"));
		assertThat(this.cluster.workers.launched(3)).isTrue();
	}

	@Test
	void workerThatHasNotStartedIsNotReplaced() throws Exception {
		start(2, 0, 10);
		this.cluster.serve(1, 2);
		this.cluster.call(this.cluster.supervisor::restart);
		this.cluster.join(3);
		this.cluster.send(3, new Message.ReplaceMe("a thread died while it started"));
		assertThat(this.cluster.workers.count()).isEqualTo(3);
		this.cluster.send(3, new Message.Listening("0.0.0.0", 8080, true));
		this.cluster.send(3, new Message.Ready(true));
		assertThat(this.cluster.wasSent(1, Message.Disconnect.class)).isTrue();
		this.cluster.worker(1).exit(0);
		// The restart goes on with worker 2; worker 3 keeps its slot, unreplaced
		assertThat(this.cluster.workers.launched(4)).isTrue();
		assertThat(this.cluster.workers.count()).isEqualTo(4);
		assertThat(this.cluster.wasSent(3, Message.Disconnect.class)).isFalse();
	}

	@Test
	void scalingDownRemovesSlotsThatGaveUpFirst() throws Exception {
		start(2, 0, 1);
		this.cluster.serve(1, 2);
		// Worker 1's slot gives up after one crash; worker 2's is the newest
		this.cluster.worker(1).exit(1);
		assertThat(this.cluster.call(() -> this.cluster.supervisor.scale(1))).isEqualTo(2);
		assertThat(this.cluster.wasSent(2, Message.Disconnect.class)).isFalse();
		assertThat(this.cluster.worker(2).terminated).isFalse();
		ClusterStatus status = this.cluster.status();
		assertThat(status.desiredWorkers()).isEqualTo(1);
		assertThat(status.workers()).extracting(ClusterStatus.Worker::id).containsExactly(2);
	}

	@Test
	void slotThatGaveUpComesBackWithARollingRestartOrAScaleRequest() throws Exception {
		start(2, 0, 1);
		this.cluster.serve(1, 2);
		this.cluster.worker(1).exit(1);
		this.cluster.advance(Duration.ofMinutes(1));
		assertThat(this.cluster.workers.count()).isEqualTo(2);
		// A restart revives the slot at once, and replaces worker 2
		assertThat(this.cluster.call(this.cluster.supervisor::restart)).containsExactly(2);
		assertThat(this.cluster.workers.count()).isEqualTo(4);
		this.cluster.serve(3, 4);
		this.cluster.worker(2).exit(0);
		this.cluster.worker(3).exit(1);
		this.cluster.advance(Duration.ofMinutes(1));
		assertThat(this.cluster.workers.count()).isEqualTo(4);
		// So does a scale request that keeps the number of workers
		this.cluster.call(() -> this.cluster.supervisor.scale(2));
		assertThat(this.cluster.workers.count()).isEqualTo(5);
	}

	@Test
	void scalingBeyondWhatTheMemoryHoldsIsRefusedAndNewWorkersGetTheNewHeapShare() throws Exception {
		start(2, 0, 10);
		this.cluster.serve(1, 2);
		assertThat(this.cluster.worker(1).heapOption).isEqualTo("-XX:MaxRAMPercentage=37.5");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.cluster.call(() -> this.cluster.supervisor.scale(Integer.MAX_VALUE)))
			.withMessage("Cannot scale to 2147483647 workers: 8.0 GiB of memory holds at most 8 at 1.0 GiB each "
					+ "(cluster.worker.min-memory)");
		assertThat(this.cluster.call(() -> this.cluster.supervisor.scale(8))).isEqualTo(2);
		assertThat(this.cluster.worker(3).heapOption).isEqualTo("-XX:MaxRAMPercentage=9.4");
	}

	@Test
	void workerStoppedWhileItsReplacementStartsIsNotReplacedTwice() throws Exception {
		start(1, 0, 10);
		this.cluster.serve(1);
		this.cluster.send(1, new Message.ReplaceMe("heap is nearly full"));
		this.cluster.stopWorker(1);
		this.cluster.serve(2);
		this.cluster.worker(1).exit(0);
		this.cluster.advance(Duration.ofMinutes(1));
		assertThat(this.cluster.workers.count()).isEqualTo(2);
		assertThat(this.cluster.status().workers()).extracting(ClusterStatus.Worker::id).containsExactly(2);
	}

	@Test
	void waitingStandbysDoNotKeepAMasterWhoseSlotsAllGaveUp() throws Exception {
		start(1, 1, 1);
		this.cluster.serve(1);
		this.cluster.join(2);
		this.cluster.send(2, new Message.StandbyReady(2));
		this.cluster.call(() -> this.cluster.supervisor.scale(1));
		// The standby takes over, and dies too: the slot gives up; a new standby waits
		this.cluster.worker(1).exit(1);
		this.cluster.worker(2).exit(1);
		this.cluster.advance(Duration.ofMinutes(1));
		assertThat(this.cluster.supervisor.awaitTermination()).isEqualTo(1);
	}

	@Test
	void slotsStayNumberedFromZeroAcrossScaling() throws Exception {
		start(3, 0, 10);
		this.cluster.serve(1, 2, 3);
		this.cluster.call(() -> this.cluster.supervisor.scale(2));
		this.cluster.worker(3).exit(0);
		this.cluster.call(() -> this.cluster.supervisor.scale(3));
		assertThat(this.cluster.worker(4).slot).isEqualTo(2);
	}

	@Test
	void scalingDownRemovesTheNewestSlots() throws Exception {
		start(3, 0, 10);
		this.cluster.serve(1, 2, 3);
		this.cluster.call(() -> this.cluster.supervisor.scale(2));
		assertThat(this.cluster.wasSent(3, Message.Disconnect.class)).isTrue();
		assertThat(this.cluster.wasSent(1, Message.Disconnect.class)).isFalse();
		assertThat(this.cluster.wasSent(2, Message.Disconnect.class)).isFalse();
		this.cluster.worker(3).exit(0);
		this.cluster.advance(Duration.ofMinutes(1));
		assertThat(this.cluster.workers.count()).isEqualTo(3);
	}

	@Test
	void hungWorkerGetsAThreadDumpThenIsKilledAndReplaced() throws Exception {
		start(2, 0, 10);
		this.cluster.serve(1, 2);
		this.cluster.silence(1);
		this.cluster.advance(HEARTBEAT_TIMEOUT.plusSeconds(1));
		assertThat(this.cluster.worker(1).threadDumpRequested).isTrue();
		assertThat(this.cluster.worker(1).killed).isFalse();
		assertThat(this.cluster.worker(2).threadDumpRequested).isFalse();
		this.cluster.advance(HeartbeatWatch.TIME_TO_PRINT);
		assertThat(this.cluster.worker(1).killed).isTrue();
		this.cluster.advance(INITIAL_BACKOFF);
		assertThat(this.cluster.workers.launched(3)).isTrue();
	}

	@Test
	void afterTheMasterWasPausedNoWorkerIsJudgedBeforeAWholeHeartbeatTimeout() throws Exception {
		start(1, 0, 10);
		this.cluster.serve(1);
		this.cluster.advance(Duration.ofSeconds(1));
		this.cluster.silence(1);
		this.cluster.loop.pause(HEARTBEAT_TIMEOUT.multipliedBy(3));
		this.cluster.advance(HEARTBEAT_TIMEOUT.minusSeconds(1));
		assertThat(this.cluster.worker(1).threadDumpRequested).isFalse();
		this.cluster.advance(Duration.ofSeconds(2));
		assertThat(this.cluster.worker(1).threadDumpRequested).isTrue();
	}

	@Test
	void startThatMakesNoProgressIsKilledAndOneThatDoesIsNot() throws Exception {
		start(2, 0, 10);
		FakeWorkers.Handle progressing = this.cluster.worker(2);
		for (int second = 0; second <= STARTUP_TIMEOUT.toSeconds(); second++) {
			progressing.cpu = progressing.cpu.plusMillis(500);
			this.cluster.advance(Duration.ofSeconds(1));
		}
		assertThat(this.cluster.worker(1).killed).isTrue();
		assertThat(progressing.killed).isFalse();
		assertThat(this.cluster.status().events().stream().filter((event) -> "exit".equals(event.type())))
			.singleElement()
			.satisfies((event) -> assertThat(event.worker()).isEqualTo(1));
	}

	@Test
	void standbyWaitingAtTheGateIsNotJudgedAsAStart() throws Exception {
		start(1, 1, 10);
		this.cluster.serve(1);
		this.cluster.join(2);
		this.cluster.send(2, new Message.StandbyReady(2));
		this.cluster.advance(STARTUP_TIMEOUT.multipliedBy(2));
		assertThat(this.cluster.worker(2).killed).isFalse();
	}

	@Test
	void workerBoundWithoutReusePortIsKilled() throws Exception {
		start(1, 0, 10);
		this.cluster.join(1);
		this.cluster.send(1, new Message.Listening("0.0.0.0", 8080, false));
		assertThat(this.cluster.worker(1).killed).isTrue();
	}

	@Test
	void messageThatBreaksTheProtocolIsIgnored() throws Exception {
		start(1, 1, 10);
		this.cluster.serve(1);
		this.cluster.join(2);
		// A standby listens only once activated, and a member never waits as one
		this.cluster.send(2, new Message.Listening("0.0.0.0", 8080, true));
		this.cluster.send(1, new Message.StandbyReady(1));
		assertThat(this.cluster.worker(2).killed).isFalse();
		assertThat(this.cluster.status().workers()).extracting(ClusterStatus.Worker::state)
			.containsExactly("listening", "online");
	}

	@Test
	void hostileButWellFormedMessagesNeverBreakTheSupervisor() throws Exception {
		start(2, 1, 10);
		this.cluster.serve(1, 2);
		this.cluster.join(3);
		this.cluster.send(3, new Message.StandbyReady(3));
		// A connection with the secret that claims to be a worker it is not
		assertThat(this.cluster.supervisor.channel()
			.accept(this.cluster.connection(1), new Message.Hello(2, 10_001, "")))
			.isFalse();
		Random random = new Random(20261201);
		for (int i = 0; i < 2_000; i++) {
			int from = 1 + random.nextInt(3);
			this.cluster.send(from, switch (random.nextInt(9)) {
				case 0 -> new Message.Listening("0.0.0.0", 8080, true);
				case 1 -> new Message.Ready(random.nextBoolean());
				case 2 -> new Message.StandbyReady(random.nextInt(5));
				case 3 -> new Message.Heartbeat(random.nextLong(), random.nextLong(), random.nextDouble(), -1);
				case 4 -> new Message.Reply(random.nextInt(10), null, NullNode.getInstance());
				case 5 -> new Message.Request(random.nextInt(10), "no-such-action", NullNode.getInstance());
				case 6 -> new Message.Hello(from, 1, "");
				case 7 -> new Message.Welcome(1);
				default -> new Message.Members(List.of(1, 2, 3));
			});
		}
		// Nothing changed: the same workers, each as it was, and no task failed (checked
		// when the harness closes)
		assertThat(this.cluster.status().workers()).extracting(ClusterStatus.Worker::id, ClusterStatus.Worker::state)
			.containsExactly(tuple(1, "listening"), tuple(2, "listening"), tuple(3, "online"));
		assertThat(this.cluster.workers.count()).isEqualTo(3);
		this.cluster.worker(1).exit(137);
		assertThat(this.cluster.wasSent(3, Message.Activate.class)).isTrue();
	}

	@Test
	void stopAsksEveryWorkerToGoKillsThoseThatStayAndEndsOnceAllAreGone() throws Exception {
		start(2, 0, 10);
		this.cluster.serve(1, 2);
		this.cluster.supervisor.stop();
		assertThat(this.cluster.wasSent(1, Message.Disconnect.class)).isTrue();
		assertThat(this.cluster.wasSent(2, Message.Disconnect.class)).isTrue();
		assertThatIllegalArgumentException().isThrownBy(() -> this.cluster.call(() -> this.cluster.supervisor.scale(3)))
			.withMessage("Cannot scale: the cluster is stopping");
		this.cluster.worker(1).exit(0);
		this.cluster.advance(SHUTDOWN_TIMEOUT);
		assertThat(this.cluster.worker(2).killed).isTrue();
		// Nothing is replaced while the cluster stops
		this.cluster.advance(Duration.ofMinutes(1));
		assertThat(this.cluster.workers.count()).isEqualTo(2);
		assertThat(this.cluster.supervisor.awaitTermination()).isZero();
	}

	@Test
	void operatorStopReplacesTheWorker() throws Exception {
		start(1, 0, 10);
		this.cluster.serve(1);
		assertThatIllegalArgumentException().isThrownBy(() -> this.cluster.stopWorker(7)).withMessage("No running worker has id 7; running: [1]");
		this.cluster.stopWorker(1);
		assertThat(this.cluster.wasSent(1, Message.Disconnect.class)).isTrue();
		this.cluster.worker(1).exit(0);
		assertThat(this.cluster.workers.launched(2)).isTrue();
		assertThat(this.cluster.status().restarts()).isZero();
	}

	@Test
	void onlyTheWorkerAskedCanAnswerTheMastersRequest() throws Exception {
		start(2, 0, 10);
		this.cluster.serve(1, 2);
		// Worker 1 asks for every other worker's meters: the master asks worker 2
		this.cluster.send(1, new Message.Request(7, "metrics", NullNode.getInstance()));
		long asked = this.cluster.sent(2)
			.stream()
			.filter(Message.Request.class::isInstance)
			.map((message) -> ((Message.Request) message).id())
			.findFirst()
			.orElseThrow();
		this.cluster.send(1,
				new Message.Reply(asked, null, FrameCodec.mapper().createObjectNode().put("from", "worker 1")));
		this.cluster.send(2,
				new Message.Reply(asked, null, FrameCodec.mapper().createObjectNode().put("from", "worker 2")));
		Message.Reply meters = this.cluster.sent(1)
			.stream()
			.filter((message) -> message instanceof Message.Reply reply && reply.id() == 7)
			.map(Message.Reply.class::cast)
			.findFirst()
			.orElseThrow();
		assertThat(meters.body().get("meters").get("2").get("from").asString()).isEqualTo("worker 2");
	}

	@Test
	void metersOfEveryWorkerComeInAsManyRepliesAsTheyNeed() throws Exception {
		start(3, 0, 10);
		this.cluster.serve(1, 2, 3);
		// Each worker's meters take most of a frame: two do not fit in one reply
		ObjectNode big = FrameCodec.mapper().createObjectNode().put("meters", "m".repeat(600 * 1024));
		this.cluster.send(1, new Message.Request(7, "metrics", NullNode.getInstance()));
		answerMetricsRequest(2, big);
		answerMetricsRequest(3, big);
		JsonNode first = replyTo(1, 7).body();
		assertThat(first.get("meters").propertyNames()).containsExactly("2");
		assertThat(first.get("more")).containsExactly(IntNode.valueOf(3));
		this.cluster.send(1, new Message.Request(8, "metrics", FrameCodec.mapper().createObjectNode()
			.set("workers", FrameCodec.mapper().createArrayNode().add(3))));
		answerMetricsRequest(3, big);
		JsonNode second = replyTo(1, 8).body();
		assertThat(second.get("meters").propertyNames()).containsExactly("3");
		assertThat(second.get("more")).isEmpty();
	}

	private void answerMetricsRequest(int worker, JsonNode meters) {
		Message.Request request = this.cluster.sent(worker)
			.stream()
			.filter(Message.Request.class::isInstance)
			.map(Message.Request.class::cast)
			.reduce((earlier, later) -> later)
			.orElseThrow();
		this.cluster.send(worker, new Message.Reply(request.id(), null, meters));
	}

	private Message.Reply replyTo(int worker, long id) {
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (System.nanoTime() < deadline) {
			Message.Reply reply = this.cluster.sent(worker)
				.stream()
				.filter((message) -> message instanceof Message.Reply candidate && candidate.id() == id)
				.map(Message.Reply.class::cast)
				.findFirst()
				.orElse(null);
			if (reply != null) {
				return reply;
			}
		}
		throw new AssertionError("No reply " + id + " to worker " + worker);
	}

	@Test
	void supervisorStateIsTouchedOnlyOnTheLoop() throws Exception {
		start(1, 0, 10);
		Supervisor supervisor = this.cluster.supervisor;
		assertThat(List.<Runnable>of(supervisor::status, supervisor::restart, () -> supervisor.scale(2)))
			.allSatisfy((operation) -> assertThat(operation).satisfies((task) -> {
				try {
					task.run();
					throw new AssertionError("Ran off the loop");
				}
				catch (IllegalStateException ex) {
					assertThat(ex).hasMessage("Not on the loop");
				}
			}));
	}

	private void start(int workers, int standbys, int maxCrashes) throws Exception {
		// Cores enough to start every worker at once
		this.cluster = new SupervisorHarness(workers, standbys, maxCrashes, 2 * workers);
	}

}
