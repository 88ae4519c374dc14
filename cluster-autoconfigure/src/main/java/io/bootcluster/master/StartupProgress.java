package io.bootcluster.master;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Judges a starting JVM by its progress, not by the clock alone. On a machine whose cores
 * are busy serving, a start takes several times as long as on an idle one, yet it is not
 * hung: it keeps consuming CPU time. So a start is ended only when
 * <ul>
 * <li>it made no progress for a whole timeout: the process consumed less than
 * {@link #MIN_CPU_SHARE} of one core's time over that span (a JVM blocked on a lock, a
 * socket or a sleep uses far less), or</li>
 * <li>it ran for {@link #HARD_LIMIT_FACTOR} timeouts in all, progress or not.</li>
 * </ul>
 * Where the process's CPU time cannot be read, the timeout alone counts, as a plain
 * deadline. A gap between two looks longer than a few seconds means that the whole cluster
 * was stopped: the span without progress starts again. Used by one thread at a time: the supervisor's loop, or the thread that waits
 * for a training run.
 */
final class StartupProgress {

	/** Share of one core a start must use over a timeout's span to count as progressing. */
	static final double MIN_CPU_SHARE = 0.05;

	/** Timeouts after which a start ends even while it progresses. */
	static final int HARD_LIMIT_FACTOR = 10;

	// Looks come once a second: a longer gap means that the one who looks was stopped
	private static final Duration PAUSE = Duration.ofSeconds(3);

	private final Supplier<Optional<Duration>> cpuTime;

	private final Duration timeout;

	private final LongSupplier nanoClock;

	private final long startedAt;

	private long markedAt;

	private long lookedAt;

	private @Nullable Duration markedCpu;

	StartupProgress(Supplier<Optional<Duration>> cpuTime, Duration timeout, LongSupplier nanoClock) {
		this.cpuTime = cpuTime;
		this.timeout = timeout;
		this.nanoClock = nanoClock;
		this.startedAt = nanoClock.getAsLong();
		this.markedAt = this.startedAt;
		this.lookedAt = this.startedAt;
		this.markedCpu = cpuTime.get().orElse(null);
	}

	/**
	 * Watches a process from now on.
	 * @param process the starting process
	 * @param timeout the longest span without progress
	 * @return its judge
	 */
	static StartupProgress of(ProcessHandle process, Duration timeout) {
		return new StartupProgress(() -> process.info().totalCpuDuration(), timeout, System::nanoTime);
	}

	/**
	 * Looks at the process now.
	 * @return {@code null} while the start may go on, else why it must end, for the log
	 */
	@Nullable String verdict() {
		long now = this.nanoClock.getAsLong();
		Duration cpuNow = this.cpuTime.get().orElse(null);
		if (now - this.lookedAt > PAUSE.toNanos()) {
			// Nobody ran meanwhile, this process included, when the whole cluster was
			// stopped (Ctrl-Z, docker pause): the span without progress starts again now
			this.markedAt = now;
			this.markedCpu = cpuNow;
		}
		this.lookedAt = now;
		if (now - this.startedAt > this.timeout.multipliedBy(HARD_LIMIT_FACTOR).toNanos()) {
			return "it was still starting after " + seconds(this.timeout.multipliedBy(HARD_LIMIT_FACTOR))
					+ ", " + HARD_LIMIT_FACTOR + " times the startup timeout";
		}
		Duration cpu = cpuNow;
		Duration needed = Duration.ofNanos((long) (this.timeout.toNanos() * MIN_CPU_SHARE));
		if (cpu != null && this.markedCpu != null && cpu.minus(this.markedCpu).compareTo(needed) >= 0) {
			this.markedAt = now;
			this.markedCpu = cpu;
		}
		if (now - this.markedAt <= this.timeout.toNanos()) {
			return null;
		}
		return (cpu != null) ? "it made no progress for " + seconds(this.timeout) + " (less than "
				+ needed.toMillis() + " ms of CPU time)" : "it was not listening and ready within " + seconds(this.timeout);
	}

	private static String seconds(Duration duration) {
		return duration.toSeconds() + "s";
	}

}
