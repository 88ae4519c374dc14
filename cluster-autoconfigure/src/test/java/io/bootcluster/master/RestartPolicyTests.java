package io.bootcluster.master;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RestartPolicyTests {

	private final RestartPolicy policy = new RestartPolicy(Duration.ofMillis(100), 1.5, Duration.ofSeconds(15),
			Duration.ofSeconds(30), 4);

	@Test
	void backoffGrowsByTheMultiplierUpToTheMaximum() {
		assertThat(this.policy.backoff(1)).isEqualTo(Duration.ofMillis(100));
		assertThat(this.policy.backoff(2)).isEqualTo(Duration.ofMillis(150));
		assertThat(this.policy.backoff(3)).isEqualTo(Duration.ofMillis(225));
		assertThat(this.policy.backoff(13)).isEqualTo(Duration.ofMillis(12974));
		assertThat(this.policy.backoff(14)).isEqualTo(Duration.ofSeconds(15));
		assertThat(this.policy.backoff(100)).isEqualTo(Duration.ofSeconds(15));
	}

	@Test
	void fastCrashesCountUpAndAStableWorkerStartsANewRow() {
		int crashes = this.policy.countCrash(0, Duration.ofSeconds(1));
		crashes = this.policy.countCrash(crashes, Duration.ofSeconds(29));
		assertThat(crashes).isEqualTo(2);
		assertThat(this.policy.countCrash(crashes, Duration.ofSeconds(30))).isEqualTo(1);
	}

	@Test
	void slotIsExhaustedAtMaxCrashes() {
		assertThat(this.policy.exhausted(3)).isFalse();
		assertThat(this.policy.exhausted(4)).isTrue();
	}

}
