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
 * @param workers the number of workers
 * @param heapOption the JVM option that sizes each worker's heap, or {@code null} when the
 * user sized it
 * @param description the plan in words, for the master's log
 */
public record WorkerSizing(int workers, @Nullable String heapOption, String description) {

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
		String heapOption = null;
		if (jvmOptions.stream().anyMatch(WorkerSizing::sizesHeap)) {
			why.append("; heap as the JVM options say");
		}
		else {
			double percent = HEAP_SHARE_PERCENT / workers;
			heapOption = "-XX:MaxRAMPercentage=" + String.format(Locale.ROOT, "%.1f", percent);
			why.append("; heap up to ").append(size((long) (memory * percent / 100))).append(" each (")
				.append(heapOption).append(", of ").append(size(memory)).append(")");
		}
		return new WorkerSizing(workers, heapOption, why.toString());
	}

	private static String size(long bytes) {
		double gib = bytes / (1024.0 * 1024 * 1024);
		return (gib >= 1) ? String.format(Locale.ROOT, "%.1f GiB", gib)
				: String.format(Locale.ROOT, "%d MiB", bytes / (1024 * 1024));
	}

}
