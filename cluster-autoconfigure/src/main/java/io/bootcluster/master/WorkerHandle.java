package io.bootcluster.master;

import java.time.Duration;
import java.util.Optional;

/**
 * The operating system's side of a worker: its process, as far as the supervisor needs
 * it. The supervisor decides, a handle carries out; tests drive the supervisor with
 * handles that start no process.
 */
interface WorkerHandle {

	long pid();

	boolean isAlive();

	/**
	 * Whether the process is ending: killed, or exiting, its main thread already gone
	 * while the kernel frees the rest.
	 * @return whether it is ending, where the platform tells
	 */
	boolean isExiting();

	/**
	 * Runs an action once the process has ended and its last output lines are written.
	 * @param action the action, run on a thread of the handle's choosing
	 */
	void onExit(Runnable action);

	/**
	 * The process's exit value.
	 * @return the exit value
	 * @throws IllegalStateException if it has not ended yet
	 */
	int exitValue();

	/**
	 * Asks the process to end, as SIGTERM does: a JVM runs its shutdown hooks.
	 */
	void terminate();

	/**
	 * Ends the process and whatever it started, at once.
	 */
	void kill();

	/**
	 * Asks the JVM to print a thread dump to its output.
	 */
	void requestThreadDump();

	/**
	 * The CPU time the process has consumed, where the platform tells.
	 * @return the CPU time, or empty
	 */
	Optional<Duration> cpuTime();

	/**
	 * Puts the process's JIT compilers ahead of its other threads, where that is allowed;
	 * called as the worker starts serving, so that it compiles its hot code first.
	 */
	default void favourCompilers() {
	}

}
