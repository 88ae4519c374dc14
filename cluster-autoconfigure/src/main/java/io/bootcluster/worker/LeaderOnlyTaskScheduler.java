package io.bootcluster.worker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;

/**
 * The scheduler of the application's {@code @Scheduled} methods in a worker: each trigger
 * fires as before, and the method runs only where the worker leads the cluster.
 */
public final class LeaderOnlyTaskScheduler implements TaskScheduler {

	private final TaskScheduler delegate;

	private final WorkerLeadership leadership;

	LeaderOnlyTaskScheduler(TaskScheduler delegate, WorkerLeadership leadership) {
		this.delegate = delegate;
		this.leadership = leadership;
	}

	/**
	 * Wraps a worker's scheduler.
	 * @param delegate the scheduler the tasks would have had
	 * @param runtime the worker's runtime
	 * @return the scheduler to give the tasks instead
	 */
	public static TaskScheduler of(TaskScheduler delegate, WorkerRuntime runtime) {
		return new LeaderOnlyTaskScheduler(delegate, runtime.workerLeadership());
	}

	private Runnable asLeader(Runnable task) {
		return () -> this.leadership.runAsLeader(task);
	}

	@Override
	public Clock getClock() {
		return this.delegate.getClock();
	}

	@Override
	public @Nullable ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
		return this.delegate.schedule(asLeader(task), trigger);
	}

	@Override
	public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
		return this.delegate.schedule(asLeader(task), startTime);
	}

	@Override
	public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
		return this.delegate.scheduleAtFixedRate(asLeader(task), startTime, period);
	}

	@Override
	public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
		return this.delegate.scheduleAtFixedRate(asLeader(task), period);
	}

	@Override
	public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
		return this.delegate.scheduleWithFixedDelay(asLeader(task), startTime, delay);
	}

	@Override
	public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
		return this.delegate.scheduleWithFixedDelay(asLeader(task), delay);
	}

}
