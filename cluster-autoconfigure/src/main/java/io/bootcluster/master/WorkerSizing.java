package io.bootcluster.master;

import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * How many workers a machine (or container) can hold, and how much heap each may take.
 * <p>
 * {@code auto} means one worker per CPU the JVM may use, but never more than the memory
 * holds at {@code memoryPerWorker} each. Unless the user sized the heap, each worker's
 * heap is capped at its share of three quarters of the memory, so that N workers fit
 * where one JVM would by default take a quarter: the rest is for what every JVM needs
 * beside its heap.
 *
 * @param workers the number of workers at first
 * @param maxWorkers the most the memory holds, or the number configured if that is more:
 * the limit of a scale request
 * @param sizesHeap whether the cluster sizes the workers' heaps (the user did not)
 * @param memory the memory the JVM may use, in bytes
 * @param memoryPerWorker the memory a worker needs at least, in bytes
 * @param description the plan in words, for the master's log
 */
public record WorkerSizing(int workers, int maxWorkers, boolean sizesHeap, long memory, long memoryPerWorker,
		String description) {

	/** The share of memory that all workers' heaps may take together. */
	static final double HEAP_SHARE_PERCENT = 75;

	private static final List<String> HEAP_OPTIONS = List.of("-Xmx", "-XX:MaxHeapSize", "-XX:MaxRAMPercentage",
			"-XX:MaxRAM=", "-XX:MaxRAMFraction");

	/**
	 * Whether a JVM option sets the largest heap.
	 * @param option the option
	 * @return whether it sizes the heap
	 */
	static boolean sizesHeap(String option) {
		return HEAP_OPTIONS.stream().anyMatch(option::startsWith);
	}

	/**
	 * Plans the cluster.
	 * @param requested the number of workers asked for, or {@code null} for {@code auto}
	 * @param processors the CPUs the JVM may use
	 * @param memory the memory the JVM may use, container limits included, in bytes
	 * @param memoryPerWorker the memory a worker needs at least, in bytes
	 * @param jvmOptions the options workers get from the master and for themselves
	 * @return the plan
	 */
	public static WorkerSizing plan(@Nullable Integer requested, int processors, long memory, long memoryPerWorker,
			List<String> jvmOptions) {
		long fitInMemory = Math.max(1, memory / memoryPerWorker);
		int workers = (requested != null) ? requested : (int) Math.max(1, Math.min(processors, fitInMemory));
		StringBuilder why = new StringBuilder();
		why.append(workers).append((workers == 1) ? " worker" : " workers").append(": ");
		if (requested != null) {
			why.append("as configured");
		}
		else {
			why.append("cluster.workers=auto, ").append(processors).append(processors == 1 ? " CPU" : " CPUs");
			if (fitInMemory < processors) {
				why.append(", but only ").append(fitInMemory).append(" fit in ").append(size(memory)).append(" at ")
					.append(size(memoryPerWorker)).append(" each (cluster.worker.min-memory)");
			}
		}
		if (requested != null && (long) requested * memoryPerWorker > memory) {
			why.append("; WARNING: ").append(size(memory)).append(" of memory is less than ").append(requested)
				.append(" workers need at ").append(size(memoryPerWorker)).append(" each");
		}
		boolean sizesHeap = jvmOptions.stream().noneMatch(WorkerSizing::sizesHeap);
		if (!sizesHeap) {
			why.append("; heap as the JVM options say");
		}
		else {
			why.append("; heap up to ").append(size((long) (memory * HEAP_SHARE_PERCENT / workers / 100)))
				.append(" each (").append(heapOption(workers)).append(", of ").append(size(memory)).append(")");
		}
		return new WorkerSizing(workers, (int) Math.min(Integer.MAX_VALUE, Math.max(workers, fitInMemory)),
				sizesHeap, memory, memoryPerWorker, why.toString());
	}

	/**
	 * The heap option of the planned number of workers.
	 * @return the option, or {@code null} when the JVM options size the heap
	 */
	public @Nullable String heapOption() {
		return heapOptionFor(this.workers);
	}

	/**
	 * The heap option of a worker in a cluster of a given size: each gets its share of the
	 * memory, so that a cluster scaled up still fits.
	 * @param clusterSize how many workers the cluster wants
	 * @return the option, or {@code null} when the JVM options size the heap
	 */
	@Nullable String heapOptionFor(int clusterSize) {
		return this.sizesHeap ? heapOption(clusterSize) : null;
	}

	private static String heapOption(int workers) {
		return "-XX:MaxRAMPercentage=" + String.format(Locale.ROOT, "%.1f", HEAP_SHARE_PERCENT / workers);
	}

	/**
	 * Refuses a cluster larger than the memory holds.
	 * @param desired the number of workers asked for
	 * @throws IllegalArgumentException if they do not fit
	 */
	void requireFits(int desired) {
		if (desired > this.maxWorkers) {
			throw new IllegalArgumentException("Cannot scale to " + desired + " workers: " + size(this.memory)
					+ " of memory holds at most " + this.maxWorkers + " at " + size(this.memoryPerWorker)
					+ " each (cluster.worker.min-memory)");
		}
	}

	private static String size(long bytes) {
		double gib = bytes / (1024.0 * 1024 * 1024);
		return (gib >= 1) ? String.format(Locale.ROOT, "%.1f GiB", gib)
				: String.format(Locale.ROOT, "%d MiB", bytes / (1024 * 1024));
	}

}
