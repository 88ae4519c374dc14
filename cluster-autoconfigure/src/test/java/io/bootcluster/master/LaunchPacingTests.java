package io.bootcluster.master;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LaunchPacingTests {

	@Test
	void oneStartPerPairOfCores() {
		assertThat(new LaunchPacing(1).startsAtOnce()).isEqualTo(1);
		assertThat(new LaunchPacing(2).startsAtOnce()).isEqualTo(1);
		assertThat(new LaunchPacing(3).startsAtOnce()).isEqualTo(1);
		assertThat(new LaunchPacing(8).startsAtOnce()).isEqualTo(4);
	}

	@Test
	void slotsWaitForRoomInTheirOrder() {
		LaunchPacing pacing = new LaunchPacing(4);
		Slot first = new Slot(0);
		Slot second = new Slot(1);
		Slot third = new Slot(2);
		pacing.queue(List.of(first, second, third));
		assertThat(pacing.next(0)).isSameAs(first);
		assertThat(pacing.next(1)).isSameAs(second);
		assertThat(pacing.next(2)).isNull();
		assertThat(pacing.next(1)).isSameAs(third);
		assertThat(pacing.next(0)).isNull();
	}

	@Test
	void allStartTakesOneRoundPerPairOfCoresWorthOfWorkers() {
		assertThat(new LaunchPacing(2).allStarted(3, Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(30));
		assertThat(new LaunchPacing(8).allStarted(8, Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(20));
		assertThat(new LaunchPacing(8).allStarted(3, Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
	}

}
