package io.bootcluster.master;

import io.bootcluster.WorkerState;
import io.bootcluster.master.WorkerLife.Departure;
import io.bootcluster.master.WorkerLife.Phase;
import io.bootcluster.master.WorkerLife.Role;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class WorkerLifeTests {

	@Test
	void memberServesOnceListeningAndReadyInEitherOrder() {
		WorkerLife readyFirst = new WorkerLife(Role.MEMBER);
		readyFirst.online();
		assertThat(readyFirst.readiness(true)).isFalse();
		assertThat(readyFirst.listening()).isTrue();
		assertThat(readyFirst.phase()).isEqualTo(Phase.SERVING);
		WorkerLife listeningFirst = new WorkerLife(Role.MEMBER);
		listeningFirst.online();
		assertThat(listeningFirst.listening()).isFalse();
		assertThat(listeningFirst.state()).isEqualTo(WorkerState.LISTENING);
		assertThat(listeningFirst.isStarting()).isTrue();
		assertThat(listeningFirst.readiness(true)).isTrue();
		assertThat(listeningFirst.hasServed()).isTrue();
		assertThat(listeningFirst.isStarting()).isFalse();
		// Served once is served: refusing traffic later does not make it start again
		assertThat(listeningFirst.readiness(false)).isFalse();
		assertThat(listeningFirst.readiness(true)).isFalse();
	}

	@Test
	void phasesOnlyMoveForward() {
		WorkerLife life = new WorkerLife(Role.MEMBER);
		assertThatIllegalStateException().isThrownBy(life::listening);
		assertThatIllegalStateException().isThrownBy(() -> life.readiness(true));
		assertThatIllegalStateException().isThrownBy(life::disconnected);
		life.online();
		assertThatIllegalStateException().isThrownBy(life::online);
		assertThatIllegalStateException().isThrownBy(life::dead)
			.withMessageContaining("ONLINE")
			.withMessageContaining("before its channel is closed");
		life.listening();
		assertThatIllegalStateException().isThrownBy(life::listening);
		life.disconnected();
		assertThatIllegalStateException().isThrownBy(life::listening);
		life.dead();
		assertThat(life.state()).isEqualTo(WorkerState.DEAD);
		assertThatIllegalStateException().isThrownBy(life::dead);
		assertThatIllegalStateException().isThrownBy(() -> life.leave(Departure.REMOVE));
	}

	@Test
	void standbyListensOnlyOnceActivated() {
		WorkerLife life = new WorkerLife(Role.STANDBY);
		life.online();
		assertThatIllegalStateException().isThrownBy(life::activate);
		assertThatIllegalStateException().isThrownBy(life::listening);
		life.waiting();
		assertThat(life.isWaiting()).isTrue();
		assertThat(life.state()).isEqualTo(WorkerState.ONLINE);
		assertThat(life.isStarting()).isFalse();
		life.activate();
		assertThat(life.role()).isEqualTo(Role.MEMBER);
		assertThat(life.isWaiting()).isFalse();
		assertThat(life.isStarting()).isTrue();
		assertThatIllegalStateException().isThrownBy(life::activate);
		assertThat(life.listening()).isFalse();
		assertThat(life.readiness(true)).isTrue();
	}

	@Test
	void memberNeverWaitsAsAStandby() {
		WorkerLife life = new WorkerLife(Role.MEMBER);
		life.online();
		assertThatIllegalStateException().isThrownBy(life::waiting);
	}

	@Test
	void leavingStandbyCannotBeActivated() {
		WorkerLife life = new WorkerLife(Role.STANDBY);
		life.online();
		life.waiting();
		life.leave(Departure.REMOVE);
		assertThat(life.isWaiting()).isFalse();
		assertThatIllegalStateException().isThrownBy(life::activate);
	}

	@Test
	void workerIsAskedToGoOnceUnlessTheClusterStops() {
		WorkerLife life = new WorkerLife(Role.MEMBER);
		life.online();
		assertThatIllegalStateException().isThrownBy(() -> life.leave(Departure.NONE));
		life.leave(Departure.REPLACE);
		assertThatIllegalStateException().isThrownBy(() -> life.leave(Departure.REPLACE));
		// A successor that serves already takes the slot: nothing is to be forked for it
		life.leave(Departure.REPLACED);
		assertThatIllegalStateException().isThrownBy(() -> life.leave(Departure.REPLACE));
		life.leave(Departure.REMOVE);
		assertThat(life.departure()).isEqualTo(Departure.REMOVE);
	}

	@Test
	void exitedAfterDisconnectTellsWhetherTheMasterHadAskedWhenTheChannelClosed() {
		WorkerLife crashed = new WorkerLife(Role.MEMBER);
		crashed.online();
		assertThat(crashed.exitedAfterDisconnect()).isNull();
		crashed.disconnected();
		// Asked only after its channel closed: it did not leave because it was asked
		crashed.leave(Departure.REMOVE);
		crashed.dead();
		assertThat(crashed.exitedAfterDisconnect()).isFalse();
		WorkerLife retired = new WorkerLife(Role.MEMBER);
		retired.online();
		retired.leave(Departure.REPLACE);
		retired.disconnected();
		assertThat(retired.exitedAfterDisconnect()).isTrue();
		WorkerLife neverJoined = new WorkerLife(Role.MEMBER);
		neverJoined.leave(Departure.REMOVE);
		neverJoined.dead();
		assertThat(neverJoined.exitedAfterDisconnect()).isTrue();
	}

}
