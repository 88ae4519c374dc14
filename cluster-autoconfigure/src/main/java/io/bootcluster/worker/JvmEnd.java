package io.bootcluster.worker;

import java.time.Duration;

import io.bootcluster.internal.ipc.DaemonThreads;

/**
 * The one place where a worker's JVM ends, and the exit codes that say why: the master
 * reads them in its log and its {@code exit} events. {@link #exit} runs the JVM's shutdown
 * hooks from a thread of its own, so that no hook waits on the thread that asked;
 * {@link #halt} ends at once, for a JVM with nothing to close or one that must not hang.
 * Tests end nothing: they override the three ways to record them.
 */
class JvmEnd {

	/** Ends this JVM. */
	static final JvmEnd PROCESS = new JvmEnd();

	/** The master asked the worker to go, and its application closed. */
	static final int LEFT = 0;

	/** A standby left before its application had started: nothing to close. */
	static final int STANDBY_LEFT = 0;

	/** The application failed to close while the worker left. */
	static final int CLOSE_FAILED = 1;

	/** The worker could not join its master, and must not serve without one. */
	static final int NOT_JOINED = 1;

	/** The master is gone, or closed the channel: the worker is an orphan. */
	static final int ORPHANED = 1;

	/**
	 * A thread died of an uncaught exception, and {@code on-uncaught-exception=exit} (70,
	 * {@code EX_SOFTWARE}).
	 */
	static final int FAILED = 70;

	JvmEnd() {
	}

	/**
	 * Exits, running the shutdown hooks, on a thread of its own.
	 * @param code the exit code
	 */
	void exit(int code) {
		new Thread(() -> System.exit(code), "cluster-exit").start();
	}

	/**
	 * Ends the JVM at once, without shutdown hooks.
	 * @param code the exit code
	 */
	void halt(int code) {
		Runtime.getRuntime().halt(code);
	}

	/**
	 * Ends the JVM after a grace period, whatever it is doing then.
	 * @param grace how long it may still run
	 * @param code the exit code
	 */
	void haltAfter(Duration grace, int code) {
		DaemonThreads.start("cluster-halt", () -> {
			try {
				Thread.sleep(grace.toMillis());
			}
			catch (InterruptedException ex) {
				// Halts all the same
			}
			halt(code);
		});
	}

}
