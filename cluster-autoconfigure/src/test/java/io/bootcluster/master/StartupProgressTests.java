package io.bootcluster.master;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StartupProgressTests {

	private final AtomicLong now = new AtomicLong();

	private final AtomicReference<Optional<Duration>> cpu = new AtomicReference<>(Optional.of(Duration.ZERO));

	@Test
	void aStartThatKeepsUsingTheCpuGoesOnPastTheTimeout() {
		StartupProgress progress = progress(Duration.ofSeconds(10));
		for (int second = 1; second <= 40; second++) {
			advance(Duration.ofSeconds(1), Duration.ofMillis(300));
			assertThat(progress.verdict()).as("after %ds", second).isNull();
		}
	}

	@Test
	void aStartThatStopsUsingTheCpuEndsOneTimeoutAfterItsLastProgress() {
		StartupProgress progress = progress(Duration.ofSeconds(10));
		advance(Duration.ofSeconds(5), Duration.ofSeconds(3));
		assertThat(progress.verdict()).isNull();
		// A JVM blocked on a socket: a little CPU for its other threads, below 5% of a core
		for (int second = 1; second <= 10; second++) {
			advance(Duration.ofSeconds(1), Duration.ofMillis(40));
			assertThat(progress.verdict()).isNull();
		}
		advance(Duration.ofSeconds(1), Duration.ofMillis(40));
		assertThat(progress.verdict()).isEqualTo("it made no progress for 10s (less than 500 ms of CPU time)");
	}

	@Test
	void aStartEndsAtTheHardLimitEvenWhileItProgresses() {
		StartupProgress progress = progress(Duration.ofSeconds(10));
		for (int second = 1; second <= 100; second++) {
			advance(Duration.ofSeconds(1), Duration.ofSeconds(1));
			assertThat(progress.verdict()).isNull();
		}
		advance(Duration.ofSeconds(1), Duration.ofSeconds(1));
		assertThat(progress.verdict()).isEqualTo("it was still starting after 100s, 10 times the startup timeout");
	}

	@Test
	void withoutTheProcessCpuTimeTheTimeoutIsADeadline() {
		this.cpu.set(Optional.empty());
		StartupProgress progress = progress(Duration.ofSeconds(10));
		for (int second = 1; second <= 10; second++) {
			this.now.addAndGet(Duration.ofSeconds(1).toNanos());
			assertThat(progress.verdict()).isNull();
		}
		this.now.addAndGet(1);
		assertThat(progress.verdict()).isEqualTo("it was not listening and ready within 10s");
	}

	@Test
	void aStopOfTheWholeClusterStartsTheSpanWithoutProgressAgain() {
		StartupProgress progress = progress(Duration.ofSeconds(10));
		advance(Duration.ofSeconds(1), Duration.ofSeconds(1));
		assertThat(progress.verdict()).isNull();
		// Ctrl-Z: nobody runs for 30 s, neither the master nor the starting worker
		advance(Duration.ofSeconds(30), Duration.ZERO);
		assertThat(progress.verdict()).isNull();
		for (int second = 1; second <= 10; second++) {
			advance(Duration.ofSeconds(1), Duration.ofMillis(10));
			assertThat(progress.verdict()).isNull();
		}
		advance(Duration.ofSeconds(1), Duration.ofMillis(10));
		assertThat(progress.verdict()).startsWith("it made no progress for 10s");
	}

	private StartupProgress progress(Duration timeout) {
		return new StartupProgress(this.cpu::get, timeout, this.now::get);
	}

	private void advance(Duration time, Duration cpuTime) {
		this.now.addAndGet(time.toNanos());
		this.cpu.set(Optional.of(this.cpu.get().orElseThrow().plus(cpuTime)));
	}

}
