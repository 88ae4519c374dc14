package io.bootcluster.master;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The supervisor's thread. Every piece of cluster state (the workers, their slots, the
 * rolling restart, the standbys) belongs to it: the channel's readers, the processes'
 * exit callbacks, the timers and the operators' commands hand their work to it, which
 * keeps each worker's events in order without a lock. A task that fails is logged and the
 * loop carries on.
 */
interface Loop {

	/**
	 * Runs a task on the loop, after those handed to it before. Once the loop has shut
	 * down, tasks are dropped: nothing is left to act on.
	 * @param task the task
	 */
	void execute(Runnable task);

	/**
	 * Runs a task on the loop after a delay.
	 * @param task the task
	 * @param delay the delay
	 * @return a way to cancel it
	 */
	Timer schedule(Runnable task, Duration delay);

	/**
	 * Runs a task on the loop at a fixed delay, first after one period.
	 * @param task the task
	 * @param period the delay between two runs
	 * @return a way to stop it
	 */
	Timer repeat(Runnable task, Duration period);

	/**
	 * Runs a task on the loop and waits for its result.
	 * @param <T> the result type
	 * @param task the task
	 * @return its result
	 * @throws IllegalArgumentException if the task rejected its input
	 * @throws IllegalStateException if the loop did not answer in time
	 */
	<T> T call(Callable<T> task);

	/**
	 * The loop's clock, as {@link System#nanoTime()} counts.
	 * @return now, in nanoseconds
	 */
	long nanoTime();

	/**
	 * Fails unless the caller runs on the loop: for state that only the loop may touch.
	 * @throws IllegalStateException if it does not
	 */
	void assertOnLoop();

	/**
	 * Stops running tasks.
	 */
	void shutdown();

	/**
	 * A task the loop will run later.
	 */
	interface Timer {

		void cancel();

	}

}
