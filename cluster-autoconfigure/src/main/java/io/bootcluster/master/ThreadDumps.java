package io.bootcluster.master;

import java.io.IOException;
import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Asks a worker's JVM for a thread dump. SIGQUIT is answered by the JVM itself, on a
 * thread of its own, however stuck the application is; the dump goes to the worker's
 * output, which the master prints with the worker's prefix.
 */
final class ThreadDumps {

	/** How long a JVM gets to print its dump. */
	static final Duration TIME_TO_PRINT = Duration.ofSeconds(2);

	private static final Log logger = LogFactory.getLog(ThreadDumps.class);

	private ThreadDumps() {
	}

	static void request(Process process) {
		try {
			new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid())).inheritIO().start();
		}
		catch (IOException ex) {
			logger.warn("Could not ask pid " + process.pid() + " for a thread dump: " + ex.getMessage());
		}
	}

}
