package io.bootcluster.master;

import sun.misc.Signal;

/**
 * Takes SIGTERM and SIGINT from the JVM's default handling, which would run the shutdown
 * hooks and exit with 143 or 130 before the workers are down. The master stops its
 * workers gracefully instead, then exits 0.
 */
final class TerminationSignals {

	private TerminationSignals() {
	}

	static void handle(Runnable onSignal) {
		for (String name : new String[] { "TERM", "INT" }) {
			try {
				Signal.handle(new Signal(name), (signal) -> onSignal.run());
			}
			catch (IllegalArgumentException ex) {
				// Not on this platform, or reserved by the JVM (-Xrs): shutdown hooks cover it
			}
		}
	}

}
