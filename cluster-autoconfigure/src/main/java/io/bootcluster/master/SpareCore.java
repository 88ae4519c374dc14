package io.bootcluster.master;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.DoubleSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Waits until the machine has a core to spare, so that work the master may do at any time
 * (a training run for the class data archive) does not take the CPU from workers that
 * serve. The load is the whole machine's (or container's) over each interval between two
 * looks. Runs on the caller's thread.
 */
final class SpareCore {

	private static final Log logger = LogFactory.getLog(SpareCore.class);

	private final DoubleSupplier load;

	private final int cpus;

	private final Duration interval;

	SpareCore(DoubleSupplier load, int cpus, Duration interval) {
		this.load = load;
		this.cpus = cpus;
		this.interval = interval;
	}

	/**
	 * Looks at this machine every few seconds.
	 * @return a waiter
	 */
	static SpareCore ofThisMachine() {
		java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
		DoubleSupplier load = (os instanceof com.sun.management.OperatingSystemMXBean sun) ? sun::getCpuLoad
				: () -> -1;
		return new SpareCore(load, Runtime.getRuntime().availableProcessors(), Duration.ofSeconds(5));
	}

	/**
	 * Waits until at least one core's worth of the machine's CPU time went unused over an
	 * interval; at once where the load cannot be read.
	 * @param what what waits, for the log
	 * @throws InterruptedException if the caller was interrupted
	 */
	void await(String what) throws InterruptedException {
		this.load.getAsDouble();
		boolean told = false;
		while (true) {
			Thread.sleep(this.interval.toMillis());
			double load = this.load.getAsDouble();
			if (load < 0 || (1 - load) * this.cpus >= 1) {
				return;
			}
			if (!told) {
				logger.info(what + " waits for a core to spare: the CPUs are " + Math.round(load * 100) + "% busy");
				told = true;
			}
		}
	}

}
