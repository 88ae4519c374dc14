package io.bootcluster.master;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.bootcluster.internal.ipc.DaemonThreads;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The supervisor's {@link Loop} on a thread of its own, {@code cluster-supervisor}.
 */
final class ExecutorLoop implements Loop {

	private static final Log logger = LogFactory.getLog(ExecutorLoop.class);

	private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

	private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(this::newThread);

	private volatile @Nullable Thread thread;

	@Override
	public void execute(Runnable task) {
		try {
			this.executor.execute(guarded(task));
		}
		catch (RejectedExecutionException ex) {
			// Shut down: nothing is left to act on
		}
	}

	@Override
	public Timer schedule(Runnable task, Duration delay) {
		try {
			return timer(this.executor.schedule(guarded(task), delay.toMillis(), TimeUnit.MILLISECONDS));
		}
		catch (RejectedExecutionException ex) {
			return () -> {
			};
		}
	}

	@Override
	public Timer repeat(Runnable task, Duration period) {
		try {
			return timer(this.executor.scheduleWithFixedDelay(guarded(task), period.toMillis(), period.toMillis(),
					TimeUnit.MILLISECONDS));
		}
		catch (RejectedExecutionException ex) {
			return () -> {
			};
		}
	}

	@Override
	public <T> T call(Callable<T> task) {
		Future<T> result = this.executor.submit(task);
		try {
			return result.get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (TimeoutException ex) {
			// Whoever asked has given up: the task must not run late, on a state it no longer
			// matches
			result.cancel(false);
			throw new IllegalStateException("The supervisor did not answer within " + ANSWER_TIMEOUT.toSeconds() + "s",
					ex);
		}
	}

	@Override
	public long nanoTime() {
		return System.nanoTime();
	}

	@Override
	public void assertOnLoop() {
		if (Thread.currentThread() != this.thread) {
			throw new IllegalStateException("Only the supervisor's thread may do this, not "
					+ Thread.currentThread().getName());
		}
	}

	@Override
	public void shutdown() {
		this.executor.shutdownNow();
	}

	private Thread newThread(Runnable task) {
		Thread thread = DaemonThreads.factory("cluster-supervisor").newThread(task);
		this.thread = thread;
		return thread;
	}

	private static Timer timer(ScheduledFuture<?> future) {
		return () -> future.cancel(false);
	}

	// The executor would keep a task's failure to itself: a failure here must be seen
	private static Runnable guarded(Runnable task) {
		return () -> {
			try {
				task.run();
			}
			catch (Throwable ex) {
				logger.error("The supervisor failed a task; the cluster carries on", ex);
			}
		};
	}

}
