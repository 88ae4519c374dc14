package io.bootcluster.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a server's state that no callback announces, such as its last connection
 * closing.
 */
final class Polling {

	private static final long POLL_MILLIS = 20;

	private Polling() {
	}

	/**
	 * Waits until a condition holds, or the timeout passes, or the thread is interrupted.
	 * @param condition the condition
	 * @param timeout the longest wait
	 * @return whether the condition holds
	 */
	static boolean await(BooleanSupplier condition, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() >= deadline) {
				return false;
			}
			try {
				Thread.sleep(POLL_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return true;
	}

}
