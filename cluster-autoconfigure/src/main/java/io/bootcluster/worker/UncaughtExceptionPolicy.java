package io.bootcluster.worker;

/**
 * What a worker does when one of its threads dies of an uncaught exception, or it hits a
 * {@link VirtualMachineError} while serving a request.
 */
public enum UncaughtExceptionPolicy {

	/**
	 * Ask the master for a replacement, and keep serving until the replacement is ready;
	 * then retire gracefully. No request is lost.
	 */
	REPLACE,

	/**
	 * Exit at once; the master replaces the worker as it would any crash.
	 */
	EXIT,

	/**
	 * Log it and carry on.
	 */
	IGNORE

}
