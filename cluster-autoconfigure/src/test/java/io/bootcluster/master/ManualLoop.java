package io.bootcluster.master;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;

/**
 * A {@link Loop} that runs on the test's thread, with a clock that moves only when the
 * test says: tasks run as soon as nothing else runs, timers when the clock passes them. A
 * task that fails is kept, for {@link #failures()}.
 */
final class ManualLoop implements Loop {

	private final Deque<Runnable> ready = new ArrayDeque<>();

	private final PriorityQueue<Scheduled> timers = new PriorityQueue<>(
			Comparator.comparingLong((Scheduled timer) -> timer.due).thenComparingLong((timer) -> timer.sequence));

	private final List<Throwable> failures = new ArrayList<>();

	private long now = Duration.ofHours(1).toNanos();

	private long sequence;

	private boolean running;

	private boolean shutdown;

	@Override
	public void execute(Runnable task) {
		if (!this.shutdown) {
			this.ready.add(task);
			runReady();
		}
	}

	@Override
	public Timer schedule(Runnable task, Duration delay) {
		Scheduled timer = new Scheduled(this.now + delay.toNanos(), this.sequence++, task, null);
		this.timers.add(timer);
		return () -> timer.cancelled = true;
	}

	@Override
	public Timer repeat(Runnable task, Duration period) {
		Scheduled timer = new Scheduled(this.now + period.toNanos(), this.sequence++, task, period);
		this.timers.add(timer);
		return () -> timer.cancelled = true;
	}

	@Override
	public <T> T call(Callable<T> task) {
		boolean nested = this.running;
		this.running = true;
		try {
			return task.call();
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			this.running = nested;
			runReady();
		}
	}

	@Override
	public long nanoTime() {
		return this.now;
	}

	@Override
	public void assertOnLoop() {
		if (!this.running) {
			throw new IllegalStateException("Not on the loop");
		}
	}

	@Override
	public void shutdown() {
		this.shutdown = true;
	}

	/**
	 * Moves the clock, running the timers it passes, in order.
	 * @param duration how far
	 */
	void advance(Duration duration) {
		long target = this.now + duration.toNanos();
		Scheduled next;
		while ((next = this.timers.peek()) != null && next.due <= target) {
			this.timers.poll();
			if (next.first.cancelled) {
				continue;
			}
			// A timer overdue after a pause runs late, as an executor's does
			this.now = Math.max(this.now, next.due);
			if (next.period != null) {
				this.timers.add(new Scheduled(this.now + next.period.toNanos(), this.sequence++, next.task, next.period,
						next));
			}
			execute(next.task);
		}
		this.now = target;
	}

	/**
	 * Moves the clock without running anything meanwhile, as when the whole process was
	 * stopped.
	 * @param duration how long the pause lasts
	 */
	void pause(Duration duration) {
		this.now += duration.toNanos();
	}

	/**
	 * What tasks threw.
	 * @return the failures
	 */
	List<Throwable> failures() {
		return this.failures;
	}

	private void runReady() {
		if (this.running) {
			return;
		}
		this.running = true;
		try {
			Runnable task;
			while ((task = this.ready.poll()) != null) {
				try {
					task.run();
				}
				catch (Throwable ex) {
					this.failures.add(ex);
				}
			}
		}
		finally {
			this.running = false;
		}
	}

	private static final class Scheduled {

		final long due;

		final long sequence;

		final Runnable task;

		final Duration period;

		// A repeated timer's runs share one cancellation
		private final Scheduled first;

		boolean cancelled;

		Scheduled(long due, long sequence, Runnable task, Duration period) {
			this(due, sequence, task, period, null);
		}

		// A repeated timer's next run, which the first run's cancellation stops too
		Scheduled(long due, long sequence, Runnable task, Duration period, Scheduled previous) {
			this.due = due;
			this.sequence = sequence;
			this.task = task;
			this.period = period;
			this.first = (previous != null) ? previous.first : this;
		}

	}

}
