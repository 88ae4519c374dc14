package io.bootcluster.master;

import java.lang.management.ManagementFactory;
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
 * <p>
 * A heap option in {@code JAVA_TOOL_OPTIONS} or {@code JDK_JAVA_OPTIONS} is not the user's
 * sizing of the workers: container images put there what one JVM may take (Paketo's
 * memory calculator does), and every worker inherits it, so N workers would take N times
 * that. The cluster sizes the heaps then too, with an {@code -Xmx} on the worker's command
 * line, which wins over the environment's: each worker gets its share of what the
 * environment gave one JVM, if that is less than its share of the memory.
 *
 * @param workers the number of workers at first
 * @param maxWorkers the most the memory holds, or the number configured if that is more:
 * the limit of a scale request
 * @param sizesHeap whether the cluster sizes the workers' heaps (the user did not)
 * @param environmentHeap the heap option the environment's JVM options carry, which the
 * cluster's overrides, or {@code null}
 * @param memory the memory the JVM may use, in bytes
 * @param memoryPerWorker the memory a worker needs at least, in bytes
 * @param description the plan in words, for the master's log
 */
public record WorkerSizing(int workers, int maxWorkers, boolean sizesHeap, @Nullable String environmentHeap,
		long memory, long memoryPerWorker, String description) {

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
	 * @param jvmOptions the options workers get from the master's command line and for
	 * themselves
	 * @param environmentOptions the options of {@code JAVA_TOOL_OPTIONS} and
	 * {@code JDK_JAVA_OPTIONS}, which workers inherit
	 * @return the plan
	 */
	public static WorkerSizing plan(@Nullable Integer requested, int processors, long memory, long memoryPerWorker,
			List<String> jvmOptions, List<String> environmentOptions) {
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
		String environmentHeap = sizesHeap
				? environmentOptions.stream().filter(WorkerSizing::sizesHeap).reduce((first, last) -> last).orElse(null)
				: null;
		if (!sizesHeap) {
			why.append("; heap as the JVM options say");
		}
		else {
			why.append("; heap up to ").append(size(heapShare(memory, environmentHeap, workers))).append(" each (")
				.append(heapOption(memory, environmentHeap, workers)).append(", of ").append(size(memory)).append(")");
		}
		if (environmentHeap != null) {
			why.append("; ").append(environmentHeap)
				.append(" in JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS sizes one JVM, not each of the workers:"
						+ " they share it (set the heap on the command line or in cluster.worker.jvm-arguments"
						+ " to size the workers yourself)");
		}
		return new WorkerSizing(workers, (int) Math.min(Integer.MAX_VALUE, Math.max(workers, fitInMemory)),
				sizesHeap, environmentHeap, memory, memoryPerWorker, why.toString());
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
		return this.sizesHeap ? heapOption(this.memory, this.environmentHeap, clusterSize) : null;
	}

	private static String heapOption(long memory, @Nullable String environmentHeap, int clusterSize) {
		// A percentage would lose to the environment's -Xmx
		return (environmentHeap != null) ? "-Xmx" + heapShare(memory, environmentHeap, clusterSize) / (1024 * 1024) + "m"
				: "-XX:MaxRAMPercentage=" + String.format(Locale.ROOT, "%.1f", HEAP_SHARE_PERCENT / clusterSize);
	}

	private static long heapShare(long memory, @Nullable String environmentHeap, int clusterSize) {
		long share = (long) (memory * HEAP_SHARE_PERCENT / clusterSize / 100);
		long environment = (environmentHeap != null) ? bytes(environmentHeap, memory) : -1;
		return (environment > 0) ? Math.min(share, environment / clusterSize) : share;
	}

	// The heap an option gives one JVM, in bytes, or -1 when it does not say plainly
	static long bytes(String heapOption, long memory) {
		try {
			if (heapOption.startsWith("-XX:MaxRAMPercentage=")) {
				return (long) (memory * Double.parseDouble(heapOption.substring(21)) / 100);
			}
			if (heapOption.startsWith("-Xmx")) {
				return parseSize(heapOption.substring(4));
			}
			if (heapOption.startsWith("-XX:MaxHeapSize=")) {
				return parseSize(heapOption.substring(16));
			}
		}
		catch (NumberFormatException | IndexOutOfBoundsException ex) {
			// Not a size the JVM would take either
		}
		return -1;
	}

	// As the JVM reads a size: a number of bytes, or of k, m, g or t
	private static long parseSize(String value) {
		int units = "kmgt".indexOf(Character.toLowerCase(value.charAt(value.length() - 1)));
		if (units < 0) {
			return Long.parseLong(value);
		}
		return Long.parseLong(value.substring(0, value.length() - 1)) << (10 * (units + 1));
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


	/**
	 * The memory of this machine, or of its container: container-aware, like
	 * {@code availableProcessors()}.
	 * @return the memory, in bytes
	 */
	static long totalMemory() {
		java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
		return (os instanceof com.sun.management.OperatingSystemMXBean memory) ? memory.getTotalMemorySize()
				: Runtime.getRuntime().maxMemory() * 4;
	}

}
