package io.bootcluster.internal.ipc;

import java.util.concurrent.ThreadFactory;

/**
 * The cluster's background threads: named, so a thread dump says what each one does, and
 * daemons, so none of them keeps a JVM alive that has nothing else to do.
 */
public final class DaemonThreads {

	private DaemonThreads() {
	}

	/**
	 * Starts a daemon thread.
	 * @param name the thread's name
	 * @param task what it runs
	 * @return the started thread
	 */
	public static Thread start(String name, Runnable task) {
		Thread thread = factory(name).newThread(task);
		thread.start();
		return thread;
	}

	/**
	 * A factory of daemon threads, for executors.
	 * @param name the name of every thread it makes
	 * @return the factory
	 */
	public static ThreadFactory factory(String name) {
		return (task) -> {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		};
	}

}
