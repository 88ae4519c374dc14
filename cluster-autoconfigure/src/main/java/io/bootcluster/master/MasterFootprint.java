package io.bootcluster.master;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.management.JMException;
import javax.management.ObjectName;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Gives back the memory the master needed only to start. Starting is the most the master
 * ever does: the application's environment, logging, the channel; the heap grows for it
 * and the C library keeps what it freed. Afterwards the master only supervises, with a
 * live heap of a few megabytes, so one full collection and a trim of the native heap
 * return most of its memory, and an idle collection now and then keeps it so.
 */
final class MasterFootprint {

	private static final Log logger = LogFactory.getLog(MasterFootprint.class);

	// Milliseconds between collections while the master idles, where the collector offers it
	private static final String PERIODIC_COLLECTION_MILLIS = "60000";

	private MasterFootprint() {
	}

	static void shrink() {
		long before = residentKib();
		System.gc();
		trimNativeHeap();
		collectWhenIdle();
		long after = residentKib();
		if (before > 0 && after > 0) {
			logger.debug("Master memory after startup: " + (before / 1024) + " MiB resident, " + (after / 1024)
					+ " MiB once trimmed");
		}
	}

	// jcmd's System.trim_native_heap, where the JVM has it (Linux with glibc)
	private static void trimNativeHeap() {
		try {
			ManagementFactory.getPlatformMBeanServer()
				.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
						new Object[] { new String[0] }, new String[] { String[].class.getName() });
		}
		catch (JMException | RuntimeException ex) {
			// Not on this JVM or platform
		}
	}

	private static void collectWhenIdle() {
		try {
			HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
			if (hotSpot != null && hotSpot.getVMOption("G1PeriodicGCInterval").getValue().equals("0")) {
				hotSpot.setVMOption("G1PeriodicGCInterval", PERIODIC_COLLECTION_MILLIS);
			}
		}
		catch (IllegalArgumentException | UnsupportedOperationException ex) {
			// Another collector, or the option is not manageable here
		}
	}

	private static long residentKib() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("\\D", ""));
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			// Not Linux
		}
		return -1;
	}

}
