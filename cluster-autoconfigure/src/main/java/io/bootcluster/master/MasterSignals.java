package io.bootcluster.master;

import sun.misc.Signal;

/**
 * The master's signals. SIGTERM and SIGINT are taken from the JVM's default handling,
 * which would run the shutdown hooks and exit with 143 or 130 before the workers are down:
 * the master stops its workers gracefully instead, then exits 0. SIGHUP restarts the
 * workers one by one, as reloading servers do.
 */
final class MasterSignals {

	private MasterSignals() {
	}

	static void handle(Runnable onStop, Runnable onReload) {
		handle("TERM", onStop);
		handle("INT", onStop);
		handle("HUP", onReload);
	}

	private static void handle(String name, Runnable action) {
		try {
			Signal.handle(new Signal(name), (signal) -> action.run());
		}
		catch (IllegalArgumentException ex) {
			// Not on this platform, or reserved by the JVM (-Xrs): shutdown hooks cover it
		}
	}

}
