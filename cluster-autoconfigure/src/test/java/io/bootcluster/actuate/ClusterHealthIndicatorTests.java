package io.bootcluster.actuate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.bootcluster.ClusterStatus;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

class ClusterHealthIndicatorTests {

	private final MasterClient master = mock(MasterClient.class);

	private final ClusterHealthIndicator indicator = new ClusterHealthIndicator(this.master);

	@Test
	void upWhenEveryDesiredWorkerListens() {
		given(this.master.status()).willReturn(status(2, "listening", "listening"));
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("desiredWorkers", 2)
			.containsEntry("listeningWorkers", 2L)
			.containsEntry("missingWorkers", 0L)
			.containsEntry("workers", Map.of("listening", 2L))
			.containsEntry("perWorkerState",
					List.of(new ClusterStatus.PerWorkerState("sessions", "HTTP sessions in memory")));
	}

	@Test
	void upWithTheShortfallInTheDetailsWhileOneWorkerListens() {
		given(this.master.status()).willReturn(status(2, "listening", "forked"));
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("workers", Map.of("forked", 1L, "listening", 1L))
			.containsEntry("listeningWorkers", 1L)
			.containsEntry("missingWorkers", 1L);
	}

	@Test
	void downWhenNoWorkerListens() {
		given(this.master.status()).willReturn(status(2, "forked", "dead"));
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("missingWorkers", 2L);
	}

	@Test
	void downWhenTheMasterCannotBeAsked() {
		given(this.master.status()).willThrow(new IllegalStateException("The master did not answer"));
		assertThat(this.indicator.health().getStatus()).isEqualTo(Status.DOWN);
	}

	private static ClusterStatus status(int desired, String... states) {
		List<ClusterStatus.Worker> workers = new ArrayList<>();
		for (int i = 0; i < states.length; i++) {
			workers.add(new ClusterStatus.Worker(i + 1, 100 + i, states[i], "2026-01-01T00:00:00Z", "PT1S", 0, null,
					null, 0, 0, -1, 0, false, false, i));
		}
		return new ClusterStatus(1, desired, 0, workers, List.of(), List.of(), new ClusterStatus.Startup(0, 0, 0),
				Map.of(), null, List.of(new ClusterStatus.PerWorkerState("sessions", "HTTP sessions in memory")), null);
	}

}
