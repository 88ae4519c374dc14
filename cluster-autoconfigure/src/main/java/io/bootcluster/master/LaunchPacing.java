package io.bootcluster.master;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;

import org.jspecify.annotations.Nullable;

/**
 * How many workers start at a time. A starting JVM keeps about two cores busy, its main
 * thread and its JIT compilers: the cluster starts at most one worker per pair of cores at
 * a time, and the next as soon as one serves. The first ones then serve seconds sooner,
 * and the last no later, since the CPU is the limit either way. Owned by the supervisor's
 * loop.
 */
final class LaunchPacing {

	private final int startsAtOnce;

	// Slots whose first worker waits for an earlier one to start
	private final Deque<Slot> waiting = new ArrayDeque<>();

	LaunchPacing(int cpus) {
		this.startsAtOnce = Math.max(1, cpus / 2);
	}

	/**
	 * How many workers start at once.
	 * @return at least one
	 */
	int startsAtOnce() {
		return this.startsAtOnce;
	}

	/**
	 * How many rounds of starts a number of workers takes, each within a startup timeout.
	 * @param workers how many workers start
	 * @param startupTimeout how long a round may take
	 * @return how long they may take in all
	 */
	Duration allStarted(int workers, Duration startupTimeout) {
		return startupTimeout.multipliedBy((workers + this.startsAtOnce - 1) / this.startsAtOnce);
	}

	/**
	 * Queues slots whose first worker is yet to start.
	 * @param slots the slots, in the order they start
	 */
	void queue(Collection<Slot> slots) {
		this.waiting.addAll(slots);
	}

	/**
	 * The next slot to start a worker in, if there is room for one more start.
	 * @param starting how many workers are starting now
	 * @return the slot, or {@code null} when none waits or enough workers are starting
	 */
	@Nullable Slot next(long starting) {
		return (starting < this.startsAtOnce) ? this.waiting.poll() : null;
	}

}
