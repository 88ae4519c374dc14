package io.bootcluster.worker;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;

import io.bootcluster.internal.ipc.Message;
import org.jspecify.annotations.Nullable;

/**
 * What a worker's heartbeat carries and checks: heap, CPU and requests for the master's
 * view; deadlocks, which make the worker stop its heartbeats so the master treats it as
 * hung; and the limits after which the worker asks to be recycled.
 */
final class WorkerHealth {

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

	private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

	private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

	private final WorkerOptions options;

	private final long requestLimit;

	WorkerHealth(WorkerOptions options, long requestLimit) {
		this.options = options;
		this.requestLimit = requestLimit;
	}

	Message.Heartbeat heartbeat(long requests) {
		MemoryUsage heap = this.memory.getHeapMemoryUsage();
		double cpu = (this.os instanceof com.sun.management.OperatingSystemMXBean process)
				? process.getProcessCpuLoad() : -1;
		return new Message.Heartbeat(heap.getUsed(), heap.getMax(), cpu, requests);
	}

	/**
	 * Why the worker should be recycled, if it should.
	 * @param requests requests served so far
	 * @return the reason, or {@code null}
	 */
	@Nullable String recycleReason(long requests) {
		if (this.requestLimit > 0 && requests >= this.requestLimit) {
			return "it served " + requests + " requests (cluster.worker.max-requests)";
		}
		long heapAfterGc = heapAfterGc();
		if (this.options.maxHeapAfterGc() > 0 && heapAfterGc > this.options.maxHeapAfterGc()) {
			return "it holds " + heapAfterGc + " bytes of heap after garbage collection, over "
					+ this.options.maxHeapAfterGc() + " (cluster.worker.max-heap-after-gc)";
		}
		return null;
	}

	/**
	 * Threads the JVM finds deadlocked, described, or {@code null} when there are none.
	 * @return the description
	 */
	@Nullable String deadlock() {
		long[] ids = this.threads.findDeadlockedThreads();
		if (ids == null) {
			return null;
		}
		StringBuilder names = new StringBuilder();
		for (var info : this.threads.getThreadInfo(ids)) {
			if (info != null) {
				names.append(names.isEmpty() ? "" : ", ").append('"').append(info.getThreadName()).append('"');
			}
		}
		return names.toString();
	}

	// Pools report their use after the last collection only where the collector tracks it
	private static long heapAfterGc() {
		long used = 0;
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			MemoryUsage afterGc = (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported())
					? pool.getCollectionUsage() : null;
			if (afterGc != null) {
				used += afterGc.getUsed();
			}
		}
		return used;
	}

}
